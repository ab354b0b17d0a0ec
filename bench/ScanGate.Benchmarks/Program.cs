using System.Globalization;
using BenchmarkDotNet.Running;
using ScanGate.Benchmarks;

// generate: dotnet run -c Release --project bench/ScanGate.Benchmarks -- generate --detections 600000 --out FILE [--seed N] [--hosts N] [--text-size N]
// benchmarks: dotnet run -c Release --project bench/ScanGate.Benchmarks -- --filter '*'
if (args.Length > 0 && args[0] == "generate")
{
    string? output = null;
    var generator = new ResultGenerator();
    for (var i = 1; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--detections": generator = new ResultGenerator { Detections = Int(value), Seed = generator.Seed, Hosts = generator.Hosts, TextSize = generator.TextSize }; break;
            case "--seed": generator = new ResultGenerator { Detections = generator.Detections, Seed = Int(value), Hosts = generator.Hosts, TextSize = generator.TextSize }; break;
            case "--hosts": generator = new ResultGenerator { Detections = generator.Detections, Seed = generator.Seed, Hosts = Int(value), TextSize = generator.TextSize }; break;
            case "--text-size": generator = new ResultGenerator { Detections = generator.Detections, Seed = generator.Seed, Hosts = generator.Hosts, TextSize = Int(value) }; break;
            case "--out": output = value; break;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }

        i++;
    }

    if (output is null)
    {
        generator.Write(Console.OpenStandardOutput());
    }
    else
    {
        using var file = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        generator.Write(file);
        Console.Error.WriteLine($"wrote {file.Length:N0} bytes, {generator.Detections:N0} detections (seed {generator.Seed}) to {output}");
    }

    return 0;
}

if (args.Length >= 2 && args[0] == "read-only")
{
    // Reader alone over a file, as the evaluation uses it: the ceiling for end-to-end evaluation speed.
    // A third argument ("every-field") reads with the reader's defaults instead (every field, one thread: the fetch's validation).
    var watch = System.Diagnostics.Stopwatch.StartNew();
    await using var input = new FileStream(args[1], FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
    await using var reader = new ScanGate.Results.ScanResultReader(input, leaveOpen: true) { EvaluationFieldsOnly = args.Length < 3, ParallelParsing = args.Length < 3 };
    long rows = 0;
    while (await reader.ReadAsync())
    {
        rows++;
    }

    var seconds = watch.Elapsed.TotalSeconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read {rows:N0} elements, {input.Length / 1e6:N0} MB in {seconds:N2} s = {input.Length / 1e6 / seconds:N0} MB/s"));
    return 0;
}

if (args.Length >= 1 && args[0] == "stages")
{
    // Quick split of CPU cost per stage without BenchmarkDotNet (same work as EvaluationBenchmarks, one pass each).
    var bench = new EvaluationBenchmarks { Detections = args.Length > 1 ? Int(args[1]) : 100_000 };
    bench.Setup();
    foreach (var (name, run) in new (string, Func<Task>)[]
             {
                 ("read", () => bench.ReadOnly()), ("read every field", () => bench.ReadOnlyEveryField()), ("judge", () => Task.FromResult(bench.JudgeOnly())),
                 ("judge+spool", () => Task.FromResult(bench.JudgeAndSpool())), ("runner", () => bench.RunnerEndToEnd()),
             })
    {
        await run();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await run();
        var cpuUsed = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-17} wall {watch.Elapsed.TotalMilliseconds,8:N0} ms  cpu {cpuUsed.TotalMilliseconds,8:N0} ms"));
    }

    bench.Cleanup();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(ResultGenerator).Assembly).Run(args);
return 0;

static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
