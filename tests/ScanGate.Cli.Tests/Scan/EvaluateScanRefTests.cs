using ScanGate.Emulator;

namespace ScanGate.Cli.Tests.Scan;

/// <summary><c>evaluate --scan-ref</c>: judging an existing scan without launching one.</summary>
public sealed class EvaluateScanRefTests
{
    private static string[] Connection(ScanTestBed bed) => ["--api-url", bed.Emulator.BaseUrl.ToString(), "--username", "demo"];

    [Fact]
    public async Task Evaluate_FinishedScanRef_FetchesAndJudgesWithoutLaunching()
    {
        await using var bed = await ScanTestBed.StartAsync();
        (await bed.ScanAsync("--host", "192.0.2.10")).ShouldBe(ExitCodes.Pass, bed.Log);
        var reference = bed.Result().GetProperty("scan").GetProperty("ref").GetString()!;

        var exitCode = await bed.RunAsync(["evaluate", "--scan-ref", reference, "--fail-on-severity", "5", "--output-dir", "judged", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        bed.ScanCalls("launch").ShouldHaveSingleItem();
        bed.ScanCalls("fetch").Count.ShouldBe(2);
        var judged = Path.Combine(bed.WorkingDirectory, "judged");
        File.Exists(Path.Combine(judged, "qualys_" + reference.Replace('/', '_') + ".json")).ShouldBeTrue();
        using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(judged, "scangate-result.json"), TestContext.Current.CancellationToken));
        document.RootElement.GetProperty("source").GetProperty("kind").GetString().ShouldBe("scan_ref");
        document.RootElement.GetProperty("scan").GetProperty("ref").GetString().ShouldBe(reference);
    }

    [Fact]
    public async Task Evaluate_RunningScan_ExitsFourWithoutFetching()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "scan_stuck_queued" });
        (await bed.ScanAsync("--host", "192.0.2.10", "--timeout", "1m30s", "--leave-running")).ShouldBe(ExitCodes.Timeout, bed.Log);
        var reference = bed.Result().GetProperty("scan").GetProperty("ref").GetString()!;

        var exitCode = await bed.RunAsync(["evaluate", "--scan-ref", reference, .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.NoResult, bed.Log);
        bed.ScanCalls("fetch").ShouldBeEmpty();
    }

    [Fact]
    public async Task Evaluate_UnknownScanRef_ExitsTwo()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync(["evaluate", "--scan-ref", "scan/1700000000.00001", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.Usage, bed.Log);
        bed.Error.ToString().ShouldContain("no such scan");
    }

    [Fact]
    public async Task Evaluate_FileAndScanRef_IsAUsageError()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync(["evaluate", "result.json", "--scan-ref", "scan/1.2", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.Usage);
        bed.Emulator.State.Requests.ShouldBeEmpty();
    }
}
