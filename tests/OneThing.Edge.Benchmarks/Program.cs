using OneThing.Edge.Benchmarks;

// One verb per benchmark; each prints its figures from a single run (ratios are measured side by side).
return args.FirstOrDefault() switch
{
    "vision" => await VisionBenchmark.RunAsync(args[1..], Console.Out, CancellationToken.None),
    "outbox" => await OutboxBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: OneThing.Edge.Benchmarks <benchmark> [options]");
    Console.Error.WriteLine("  vision [--seconds N] [--workers N] [--cv-threads N]   vehicle model vs full detect, plate reads, allocations");
    Console.Error.WriteLine("  outbox                                                 outage backlog drain rate, confirmation -> SMS latency, exactly-once");
    return 2;
}
