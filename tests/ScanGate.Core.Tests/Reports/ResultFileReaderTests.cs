using System.Text;

namespace ScanGate.Reports.Tests;

public sealed class ResultFileReaderTests
{
    [Fact]
    public async Task Open_SampleResult_ReadsHeaderAndEveryFinding()
    {
        using var reader = await ResultFileReader.OpenAsync(ResultFixtures.SamplePath, TestContext.Current.CancellationToken);
        var header = reader.Header;
        header.Verdict.ShouldBe("fail");
        header.Scan!.Ref.ShouldBe("scan/1764324000.12345");
        header.Criteria.Select(c => c.Key).ShouldBe(["severity", "qids", "cvss3", "pci"]);
        header.Criteria.Single(c => string.Equals(c.Key, "pci", StringComparison.Ordinal)).Passed.ShouldBeTrue();
        header.Counts.ConfirmedAt(5).ShouldBe(1);
        header.Exceptions.Select(e => e.Status).ShouldBe(["active", "expired"]);
        var findings = reader.ReadFindings(TestContext.Current.CancellationToken).ToList();
        findings.Count.ShouldBe(7);
        findings[0].Matched.ShouldBe(["severity", "qids", "cvss3"]);
        findings[3].Excluded!.Value.ShouldBe("105943");
        findings[6].Excepted!.Id.ShouldBe("EXC-1");
    }

    [Theory]
    [InlineData(40)]
    [InlineData(1500)]
    [InlineData(3000)]
    public async Task ReadFindings_TruncatedFile_ThrowsNeverEndsEarly(int keep)
    {
        var bytes = await File.ReadAllBytesAsync(ResultFixtures.SamplePath, TestContext.Current.CancellationToken);
        var path = Write(bytes[..Math.Min(keep, bytes.Length - 10)]);
        var error = await Should.ThrowAsync<ResultFileException>(async () =>
        {
            using var reader = await ResultFileReader.OpenAsync(path, TestContext.Current.CancellationToken);
            _ = reader.ReadFindings(TestContext.Current.CancellationToken).Count();
        });
        error.Message.ShouldContain(path);
    }

    [Theory]
    [InlineData("""{"schema_version": 2, "verdict": "pass", "counts": {}, "findings": []}""", "schema_version 2 is not supported")]
    [InlineData("""{"verdict": "pass", "counts": {}, "findings": []}""", "schema_version is missing")]
    [InlineData("""{"schema_version": 1, "verdict": "maybe", "counts": {}, "findings": []}""", "verdict must be")]
    [InlineData("""{"schema_version": 1, "verdict": "pass", "findings": []}""", "counts is missing")]
    [InlineData("""{"schema_version": 1, "verdict": "pass", "counts": {}}""", "no 'findings' array")]
    [InlineData("""{"schema_version": 1, "verdict": "pass", "counts": {}, "criteria": {"qids": {"configured": "1", "found": []}}, "findings": []}""", "criteria.qids.passed")]
    [InlineData("""{"schema_version": 1, "verdict": "pass", "counts": {}, "findings": [{"qid": "x"}]}""", "findings[0]")]
    [InlineData("""{"schema_version": 1, "verdict": "pass", "counts": {}, "findings": []} {}""", "unexpected content")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("", "the file is empty")]
    [InlineData("   \n", "malformed JSON")]
    public async Task Open_InvalidResult_ThrowsNamingTheField(string json, string expected)
    {
        var path = Write(Encoding.UTF8.GetBytes(json));
        var error = await Should.ThrowAsync<ResultFileException>(async () =>
        {
            using var reader = await ResultFileReader.OpenAsync(path, TestContext.Current.CancellationToken);
            _ = reader.ReadFindings(TestContext.Current.CancellationToken).Count();
        });
        error.Message.ShouldContain(expected);
    }

    [Fact]
    public async Task Open_MissingFile_ThrowsResultFileException()
    {
        var path = Path.Combine(ReportTestFiles.TempDir(), "nope.json");
        (await Should.ThrowAsync<ResultFileException>(() => ResultFileReader.OpenAsync(path, TestContext.Current.CancellationToken))).Message.ShouldContain("nope.json");
    }

    [Fact]
    public async Task ReadFindings_PortAsNumber_IsAccepted()
    {
        var path = Write(Encoding.UTF8.GetBytes("""{"schema_version": 1, "verdict": "pass", "counts": {}, "findings": [{"qid": 1, "port": 443, "protocol": "tcp"}]}"""));
        using var reader = await ResultFileReader.OpenAsync(path, TestContext.Current.CancellationToken);
        reader.ReadFinding()!.PortLabel.ShouldBe("443/tcp");
        reader.ReadFinding().ShouldBeNull();
    }

    private static string Write(byte[] bytes)
    {
        var path = Path.Combine(ReportTestFiles.TempDir(), "result.json");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
