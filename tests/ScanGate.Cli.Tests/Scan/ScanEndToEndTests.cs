using System.Runtime.InteropServices;
using System.Text.Json;
using ScanGate.Emulator;

namespace ScanGate.Cli.Tests.Scan;

/// <summary><c>scangate scan</c> end to end: the CLI in-process, the emulator over HTTP, one fake clock.</summary>
public sealed class ScanEndToEndTests
{
    [Fact]
    public async Task Scan_CleanHost_PassesAndWritesEveryArtifact()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.11", "--fail-on-severity", "3");

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        var result = bed.Result();
        result.GetProperty("verdict").GetString().ShouldBe("pass");
        result.GetProperty("source").GetProperty("kind").GetString().ShouldBe("scan");
        var scan = result.GetProperty("scan");
        var reference = scan.GetProperty("ref").GetString()!;
        reference.ShouldStartWith("scan/");
        scan.GetProperty("state").GetString().ShouldBe("Finished");
        scan.GetProperty("target").GetString().ShouldBe("192.0.2.11");
        scan.GetProperty("title").GetString().ShouldBe("scangate_build_local_2026-11-28-10-00-00");
        scan.GetProperty("api_calls").GetInt32().ShouldBe(bed.Emulator.State.Requests.Count(r => !r.Path.StartsWith("/_emulator", StringComparison.Ordinal)));
        scan.GetProperty("elapsed_seconds").GetDouble().ShouldBeGreaterThan(60);
        var artifact = Path.Combine(bed.OutputDirectory, "qualys_" + reference.Replace('/', '_') + ".json");
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(artifact, TestContext.Current.CancellationToken));
        document.RootElement.GetProperty("data").GetArrayLength().ShouldBeGreaterThan(2);
        document.RootElement.GetProperty("evaluationResult").GetProperty("evaluationStatus").GetString().ShouldBe("pass");
        bed.Out.ToString().ShouldContain("ScanGate verdict: PASS");
        // The password never shows.
        bed.Log.ShouldNotContain("demo:demo");
    }

    [Fact]
    public async Task Scan_HappyPath_MakesTheExpectedApiCalls()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.11", "--poll-interval", "90s");

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        var calls = bed.Emulator.State.Requests.Where(r => !r.Path.StartsWith("/_emulator", StringComparison.Ordinal))
            .Select(r => r.Path + (r.Parameters.TryGetValue("action", out var a) ? "?" + a : string.Empty)).ToList();
        // about (connection check), the option profile list (the name is checked before launching), launch, one poll
        // (the 82 s scan is done by the first 90 s poll), fetch.
        calls.ShouldBe(["/msp/about.php", "/api/2.0/fo/subscription/option_profile/vm/?list", "/api/2.0/fo/scan/?launch", "/api/3.0/fo/scan/?list", "/api/2.0/fo/scan/?fetch"]);
        bed.Result().GetProperty("scan").GetProperty("api_calls").GetInt32().ShouldBe(5);
    }

    [Theory]
    [InlineData("--fail-on-severity", "5", "severity")]
    [InlineData("--fail-on-qids", "42430", "qids")]
    [InlineData("--fail-on-cves", "CVE-2021-44228", "cves")]
    [InlineData("--fail-on-cvss2", "7.0", "cvss2")]
    [InlineData("--fail-on-cvss3", "9.0", "cvss3")]
    [InlineData("--fail-on-pci", null, "pci")]
    public async Task Scan_HostWithFindings_FailsByEachCriterion(string flag, string? value, string criterion)
    {
        await using var bed = await ScanTestBed.StartAsync();
        string[] criteria = value is null ? [flag] : [flag, value];

        var exitCode = await bed.ScanAsync(["--host", "192.0.2.10", .. criteria]);

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        var result = bed.Result();
        result.GetProperty("verdict").GetString().ShouldBe("fail");
        result.GetProperty("criteria").GetProperty(criterion).GetProperty("passed").GetBoolean().ShouldBeFalse();
        bed.Out.ToString().ShouldContain("ScanGate verdict: FAIL");
    }

    [Theory]
    [InlineData("fail", ExitCodes.NoResult, "fail")]
    [InlineData("warn", ExitCodes.Pass, "warn")]
    [InlineData("pass", ExitCodes.Pass, "pass")]
    public async Task Scan_HostDown_FollowsOnHostDown(string onHostDown, int expectedExit, string verdict)
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.99", "--fail-on-severity", "1", "--on-host-down", onHostDown);

        exitCode.ShouldBe(expectedExit, bed.Log);
        var result = bed.Result();
        result.GetProperty("verdict").GetString().ShouldBe(verdict);
        result.GetProperty("scan").GetProperty("sub_state").GetString().ShouldBe("No_Host");
        bed.Log.ShouldContain("not alive");
    }

    [Theory]
    [InlineData("scan_error", "Error")]
    [InlineData("scan_canceled", "Canceled")]
    public async Task Scan_EndsWithoutResult_ExitsFourAndNeverPasses(string fault, string state)
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = fault });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10");

        exitCode.ShouldBe(ExitCodes.NoResult, bed.Log);
        bed.Result().GetProperty("scan").GetProperty("state").GetString().ShouldBe(state);
        bed.Result().GetProperty("verdict").GetString().ShouldBe("fail");
        bed.ScanCalls("fetch").ShouldBeEmpty();
    }

    [Fact]
    public async Task Scan_Timeout_CancelsTheScanInQualysAndExitsFive()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "scan_stuck_queued" });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--timeout", "5m");

        exitCode.ShouldBe(ExitCodes.Timeout, bed.Log);
        var cancel = bed.ScanCalls("cancel").ShouldHaveSingleItem();
        cancel.Parameters["scan_ref"].ShouldBe(bed.Result().GetProperty("scan").GetProperty("ref").GetString());
        bed.Result().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.Timeout);
        // The reports render from what is known, even without a judged result.
        bed.Log.ShouldNotContain("Could not write the reports");
        File.Exists(Path.Combine(bed.OutputDirectory, "scangate-junit.xml")).ShouldBeTrue();
    }

    [Fact]
    public async Task Scan_TimeoutWithLeaveRunning_DoesNotCancel()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "scan_stuck_queued" });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--timeout", "5m", "--leave-running");

        exitCode.ShouldBe(ExitCodes.Timeout, bed.Log);
        bed.ScanCalls("cancel").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(PosixSignal.SIGTERM, ExitCodes.Terminated)]
    [InlineData(PosixSignal.SIGINT, ExitCodes.Interrupted)]
    public async Task Scan_Signal_CancelsTheScanAndExitsWithTheSignalCode(PosixSignal signal, int expectedExit)
    {
        await using var bed = await ScanTestBed.StartAsync();
        ScanHooks.Attach(bed.Context, new ScanHooks { OnStatus = (interrupt, _) => interrupt.Raise(signal) });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10");

        exitCode.ShouldBe(expectedExit, bed.Log);
        bed.ScanCalls("cancel").ShouldHaveSingleItem();
        var result = bed.Result();
        result.GetProperty("exit_code").GetInt32().ShouldBe(expectedExit);
        result.GetProperty("scan").GetProperty("cancel_requested").GetBoolean().ShouldBeTrue();
        bed.ScanCalls("fetch").ShouldBeEmpty();
    }

    [Fact]
    public async Task Scan_ConflictStorms_AreSurvived()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/", Action = "list", Kind = "conflict_1960", Calls = [1, 2, 3, 4] });
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "fetch", Kind = "conflict_1965", Calls = [1] });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--fail-on-severity", "5");

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        bed.Emulator.State.Requests.Count(r => r.Status == 409).ShouldBe(5, string.Join("\n", bed.Emulator.State.Requests.Select(r => $"{r.Time:HH:mm:ss} {r.Method} {r.Path} {string.Join('&', r.Parameters.Select(p => p.Key + "=" + p.Value))} -> {r.Status}")) + bed.Log);
        bed.ScanCalls("launch").ShouldHaveSingleItem();
    }

    [Fact]
    public async Task Scan_LostLaunchResponse_DoesNotMakeASecondScan()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Emulator.State.AddFault(new FaultRule { Path = "/api/2.0/fo/scan/", Action = "launch", Kind = "lost_launch_response", Calls = [1] });

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--fail-on-severity", "5");

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        // One launch request reached Qualys; the scan was then found by its title, not launched again.
        bed.ScanCalls("launch").Count.ShouldBe(1, bed.Log);
        bed.ScanCalls("list").ShouldContain(r => !r.Parameters.ContainsKey("scan_ref"));
        bed.Emulator.State.Requests.Where(r => r.Parameters.TryGetValue("action", out var a) && a == "list")
            .Select(r => r.Parameters.GetValueOrDefault("scan_ref")).Where(r => r is not null).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task Scan_WrongPassword_ExitsThreeNamingCredentialsOrPlatform()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Environment["QUALYS_PASSWORD"] = "not-the-password";

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10");

        exitCode.ShouldBe(ExitCodes.ApiError, bed.Log);
        bed.Error.ToString().ShouldContain("password");
        bed.Error.ToString().ShouldContain("platform");
        bed.Log.ShouldNotContain("not-the-password");
        bed.ScanCalls("launch").ShouldBeEmpty();
        bed.Result().GetProperty("exit_code").GetInt32().ShouldBe(ExitCodes.ApiError);
    }

    [Fact]
    public async Task Scan_Ec2WithConnectorRun_RunsTheConnectorThenScansInTheInstanceRegion()
    {
        await using var bed = await ScanTestBed.StartAsync();

        // This instance is unknown to Qualys until the connector has run.
        var exitCode = await bed.ScanAsync("--ec2-instance", "i-0aaaabbbbccccdddd", "--ec2-connector", "demo-aws", "--run-connector", "--fail-on-severity", "5");

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        bed.Emulator.State.Requests.ShouldContain(r => r.Path.StartsWith("/qps/rest/2.0/run/am/assetdataconnector", StringComparison.Ordinal));
        var launch = bed.ScanCalls("launch").ShouldHaveSingleItem();
        launch.Parameters["ec2_instance_ids"].ShouldBe("i-0aaaabbbbccccdddd");
        launch.Parameters["connector_name"].ShouldBe("demo-aws");
        launch.Parameters["ec2_endpoint"].ShouldBe("eu-west-1");
    }

    [Fact]
    public async Task Scan_StoppedInstance_IsRefusedWithoutAScan()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--ec2-instance", "i-0fedcba9876543210", "--ec2-connector", "demo-aws");

        exitCode.ShouldBe(ExitCodes.NoResult, bed.Log);
        bed.Error.ToString().ShouldContain("STOPPED");
        bed.ScanCalls("launch").ShouldBeEmpty();
    }

    [Fact]
    public async Task Scan_SettingsFromTheConfigFile_AreUsed()
    {
        await using var bed = await ScanTestBed.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(bed.WorkingDirectory, "scangate.yml"),
            "host: [192.0.2.99]\non_host_down: warn\nscan_name: \"[job_name]-gate\"\noutput_dir: out-from-config\n", TestContext.Current.CancellationToken);
        bed.Environment["JENKINS_URL"] = "https://ci.example/";
        bed.Environment["JOB_NAME"] = "folder/app";
        bed.Environment["BUILD_NUMBER"] = "42";

        var exitCode = await bed.ScanAsync();

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        var launch = bed.ScanCalls("launch").ShouldHaveSingleItem();
        launch.Parameters["ip"].ShouldBe("192.0.2.99");
        launch.Parameters["scan_title"].ShouldBe("folder/app-gate_2026-11-28-10-00-00");
        File.Exists(Path.Combine(bed.WorkingDirectory, "out-from-config", "scangate-result.json")).ShouldBeTrue();
    }

    [Fact]
    public async Task Scan_CriteriaFromTheConfigFile_AreJudged()
    {
        await using var bed = await ScanTestBed.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(bed.WorkingDirectory, "scangate.yml"),
            "host: [192.0.2.10]\nfail_on_severity: 5\nfail_on_cves: [CVE-2021-44228]\n", TestContext.Current.CancellationToken);

        var exitCode = await bed.ScanAsync();

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        var criteria = bed.Result().GetProperty("criteria");
        criteria.GetProperty("severity").GetProperty("passed").GetBoolean().ShouldBeFalse();
        criteria.GetProperty("cves").GetProperty("passed").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task Scan_CriteriaFromTheEnvironment_OutrankTheConfigFile()
    {
        await using var bed = await ScanTestBed.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(bed.WorkingDirectory, "scangate.yml"),
            "host: [192.0.2.10]\nfail_on_qids: \"1\"\n", TestContext.Current.CancellationToken);
        bed.Environment["SCANGATE_FAIL_ON_QIDS"] = "376157";

        var exitCode = await bed.ScanAsync();

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        bed.Result().GetProperty("criteria").GetProperty("qids").GetProperty("configured").GetString().ShouldBe("376157");
    }

    [Fact]
    public async Task Scan_UnwritableOutputDirectory_IsRefusedBeforeAnythingIsLaunched()
    {
        await using var bed = await ScanTestBed.StartAsync();
        var blocked = Path.Combine(bed.WorkingDirectory, "blocked");
        await File.WriteAllTextAsync(blocked, "a file, not a directory", TestContext.Current.CancellationToken);

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--output-dir", blocked);

        exitCode.ShouldBe(ExitCodes.Usage, bed.Log);
        bed.Error.ToString().ShouldContain("--output-dir");
        bed.Emulator.State.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Scan_BadPolicy_IsRefusedBeforeAnythingIsLaunched()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.ScanAsync("--host", "192.0.2.10", "--fail-on-qids", "5-3");

        exitCode.ShouldBe(ExitCodes.Usage, bed.Log);
        bed.Emulator.State.Requests.ShouldBeEmpty();
    }
}
