using BenchmarkDotNet.Attributes;
using ScanGate.Policy;
using ScanGate.Results;

namespace ScanGate.Benchmarks;

/// <summary>
/// Evaluation cost split in stages over a generated result held in memory (no disk read):
/// reader only, judging only (pre-parsed rows), judging + findings spool, and the whole runner.
/// </summary>
[MemoryDiagnoser]
public class EvaluationBenchmarks
{
    private byte[] _result = [];
    private Detection[] _rows = [];
    private string _outputDirectory = string.Empty;

    private static readonly EffectivePolicy Policy = new()
    {
        FailOn = new RuleSet { Severity = 5, Qids = QidList.Parse("38170,100000-200000", "q"), Cves = CveList.Parse("CVE-2021-44228", "c"), Cvss3 = 9.0, Pci = true },
        WarnOn = new RuleSet { Severity = 3 },
        IncludePotential = true,
        ExcludeQids = QidList.Parse("105943", "e"),
    };

    [Params(20_000)]
    public int Detections { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var buffer = new MemoryStream();
        new ResultGenerator { Detections = Detections, Seed = 7 }.Write(buffer);
        _result = buffer.ToArray();
        _rows = ReadRows(_result).GetAwaiter().GetResult();
        _outputDirectory = Directory.CreateTempSubdirectory("scangate-bench-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_outputDirectory, recursive: true);

    /// <summary>The reader as the evaluation uses it: parallel parsing, only the fields judged.</summary>
    [Benchmark]
    public async Task<int> ReadOnly() => (await ReadRows(_result)).Length;

    /// <summary>The reader with its defaults (every field, one thread), as the fetch validates a result, for comparison.</summary>
    [Benchmark]
    public async Task<int> ReadOnlyEveryField() => (await ReadRows(_result, everyField: true)).Length;

    [Benchmark]
    public Verdict JudgeOnly()
    {
        var evaluator = new PolicyEvaluator(Policy, new DateOnly(2026, 11, 28));
        foreach (var row in _rows)
        {
            evaluator.Evaluate(row);
        }

        return evaluator.Complete().Verdict;
    }

    [Benchmark]
    public long JudgeAndSpool()
    {
        var evaluator = new PolicyEvaluator(Policy, new DateOnly(2026, 11, 28));
        using var spool = new FindingsSpool(Path.Combine(_outputDirectory, "spool.partial"));
        foreach (var row in _rows)
        {
            var finding = evaluator.Evaluate(row);
            if (finding.Type != FindingType.InformationGathered)
            {
                spool.Write(finding);
            }
        }

        return spool.Count;
    }

    [Benchmark(Baseline = true)]
    public async Task<int> RunnerEndToEnd()
    {
        var outcome = await EvaluationRunner.RunAsync(new MemoryStream(_result, writable: false), Policy,
            new ResultWriterOptions { OutputDirectory = _outputDirectory }, CancellationToken.None);
        return outcome.ExitCode;
    }

    internal static async Task<Detection[]> ReadRows(byte[] result, bool everyField = false)
    {
        var rows = new List<Detection>();
        await using var reader = new ScanResultReader(new MemoryStream(result, writable: false))
        {
            EvaluationFieldsOnly = !everyField,
            ParallelParsing = !everyField,
        };
        while (await reader.ReadAsync())
        {
            if (reader.Detection is { } detection)
            {
                rows.Add(detection);
            }
        }

        return [.. rows];
    }
}
