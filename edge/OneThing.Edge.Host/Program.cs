using OneThing.Edge.Host.Cli;
using Serilog;

// The bootstrap logger catches start-up failures before configuration is read.
Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
try
{
    return await GatewayCommandLine.Build().Parse(args).InvokeAsync();
}
finally
{
    await Log.CloseAndFlushAsync();
}
