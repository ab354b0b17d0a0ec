using System.Text.Json;

namespace ScanGate.Cli.Tests.Scan;

/// <summary><c>test-connection</c> and <c>list</c> against the emulator.</summary>
public sealed class QualysCommandsTests
{
    private static string[] Connection(ScanTestBed bed) => ["--api-url", bed.Emulator.BaseUrl.ToString(), "--username", "demo"];

    [Fact]
    public async Task TestConnection_GoodCredentials_ExitsZero()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync(["test-connection", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        bed.Out.ToString().ShouldContain("Connection OK");
    }

    [Fact]
    public async Task TestConnection_WrongPassword_ExitsThreeAndNamesCredentialsAndPlatform()
    {
        await using var bed = await ScanTestBed.StartAsync();
        bed.Environment["QUALYS_PASSWORD"] = "wrong-one";

        var exitCode = await bed.RunAsync(["test-connection", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.ApiError, bed.Log);
        bed.Error.ToString().ShouldContain("password");
        bed.Error.ToString().ShouldContain("platform");
        bed.Log.ShouldNotContain("wrong-one");
    }

    [Fact]
    public async Task TestConnection_NothingListening_ExitsThree()
    {
        await using var bed = await ScanTestBed.StartAsync();
        var url = bed.Emulator.BaseUrl.ToString();
        await bed.Emulator.StopAsync(TestContext.Current.CancellationToken);

        var exitCode = await bed.RunAsync("test-connection", "--api-url", url, "--username", "demo");

        exitCode.ShouldBe(ExitCodes.ApiError, bed.Log);
        bed.Error.ToString().ShouldContain("127.0.0.1");
    }

    [Theory]
    [InlineData("scanners", "demo-appliance")]
    [InlineData("option-profiles", "Initial Options")]
    [InlineData("networks", "DMZ")]
    [InlineData("connectors", "demo-aws")]
    public async Task List_Table_ShowsTheScenarioValues(string what, string expected)
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync(["list", what, .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        bed.Out.ToString().ShouldContain(expected);
    }

    [Fact]
    public async Task List_Json_IsAnArrayOfObjects()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync(["list", "connectors", "--json", .. Connection(bed)]);

        exitCode.ShouldBe(ExitCodes.Pass, bed.Log);
        using var document = JsonDocument.Parse(bed.Out.ToString());
        var connector = document.RootElement.EnumerateArray().ShouldHaveSingleItem();
        connector.GetProperty("name").GetString().ShouldBe("demo-aws");
        connector.GetProperty("aws_account_id").GetString().ShouldBe("123456789012");
    }

    [Fact]
    public async Task Demo_RunsARealScanAgainstTheEmbeddedEmulatorAndFailsTheGate()
    {
        await using var bed = await ScanTestBed.StartAsync();

        var exitCode = await bed.RunAsync("demo", "--speed", "1000");

        exitCode.ShouldBe(ExitCodes.PolicyFail, bed.Log);
        var result = bed.Result();
        result.GetProperty("verdict").GetString().ShouldBe("fail");
        result.GetProperty("criteria").GetProperty("severity").GetProperty("passed").GetBoolean().ShouldBeFalse();
        foreach (var file in new[] { "scangate-report.html", "scangate-junit.xml", "scangate.sarif", "scangate-summary.md" })
        {
            File.Exists(Path.Combine(bed.OutputDirectory, file)).ShouldBeTrue(file);
        }

        Directory.GetFiles(bed.OutputDirectory, "qualys_scan_*.json").ShouldHaveSingleItem();
        bed.Out.ToString().ShouldContain("ScanGate verdict: FAIL");
    }
}
