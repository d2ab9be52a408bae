using OneThing.Edge.Benchmarks;

// One verb per benchmark; each prints its figures from a single run (ratios are measured side by side).
return args.FirstOrDefault() switch
{
    "vision" => await VisionBenchmark.RunAsync(args[1..], Console.Out, CancellationToken.None),
    "outbox" => await OutboxBenchmark.RunAsync(args[1..]),
    "pipeline" => await PipelineBenchmark.RunAsync(args[1..], Console.Out, CancellationToken.None),
    "soak" => await SoakBenchmark.RunAsync(args[1..], Console.Out, CancellationToken.None),
    "publish" => await CameraPublisher.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OneThing.Edge.Benchmarks <benchmark> [options]");
    Console.Error.WriteLine("  vision [--seconds N] [--workers N] [--cv-threads N]   vehicle model vs full detect, plate reads, allocations");
    Console.Error.WriteLine("  outbox                                                 outage backlog drain rate, confirmation -> SMS latency, exactly-once");
    Console.Error.WriteLine("  pipeline [--seconds N] [--gate off|on|both] [--cameras 64,80,...] [--gated-cameras 96,128,...] [--scene-seconds N, 0 = still] [--warmup-seconds N]");
    Console.Error.WriteLine("                                                         cameras at 1 fps through the full pipeline, drops and latency, vs raw model");
    Console.Error.WriteLine("  soak [--minutes N] [--cameras N] [--warmup-seconds N] [--gate on] [--scene-seconds N, 0 = still]");
    Console.Error.WriteLine("                                                         resident memory at a steady camera load");
    return 2;
}
