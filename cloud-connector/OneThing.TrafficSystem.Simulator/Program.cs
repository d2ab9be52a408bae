using OneThing.TrafficSystem.Simulator;
using Serilog;

Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    await SimulatorApp.Build(args).RunAsync();
    return 0;
}
catch (Exception e) when (e is InvalidOperationException or FormatException or IOException)
{
    Log.Fatal(e, "The traffic-system simulator could not start");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
