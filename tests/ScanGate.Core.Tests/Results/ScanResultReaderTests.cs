using System.Text;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Results;

public sealed class ScanResultReaderTests
{
    // A real json_extended result published by Qualys (scan/1533110666.07264), one element per line as Qualys sends it,
    // with one confirmed detection added.
    private const string RealSample = """
        [{"username": "username", "city": "New York", "company": "X", "scan_report_template_title": "Scan Results", "result_date": "01/28/2019 12:16:42", "role": "Manager"},
        {"status": "Finished", "scanner_appliance": "1.1.1.1 (Scanner 10.10.10-1, Vulnerability Signatures 10.10.10-2)", "network": "Global Default Network", "reference": "scan/1533110666.07264", "ips": "1.1.1.1", "launch_date": "08/01/2018 08:04:26", "option_profile": "Initial Options", "total_hosts": "1", "scan_title": "My first scan", "duration": "00:06:20", "excluded_ips": "", "asset_groups": null, "type": "API", "active_hosts": "1"},
        {"protocol": "tcp", "qid": 86000, "results": "Server Version\tServer Banner\ncloudflare-nginx\tcloudflare-nginx", "solution": "N/A", "ip_status": "host scanned, found vuln", "port": "80", "category": "Web server", "severity": "1", "title": "Web Server Version", "instance": null, "dns": "1dot1dot1dot1.cloudflare-dns.com", "ip": "1.1.1.1", "type": "Ig", "vendor_reference": null, "cve_id": null, "ssl": "no", "netbios": null, "associated_malware": null, "pci_vuln": "no", "impact": "N/A", "fqdn": "", "bugtraq_id": null, "threat": "N/A", "os": "Linux 3.13", "exploitability": null},
        {"ip": "1.1.1.1", "qid": 376209, "title": "Apache Log4j Remote Code Execution (Log4Shell) \u00e9", "type": "Vuln", "severity": "5", "cve_id": "CVE-2021-44228, CVE-2021-45046", "cvss_base": "9.3 (AV:N/AC:M/Au:N/C:C/I:C/A:C)", "cvss3_base": "10.0 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H)", "pci_vuln": "yes", "extra_key": {"nested": [1, 2]}},
        {"target_distribution_across_scanner_appliances": "External : 1.1.1.1"}]
        """;

    [Fact]
    public async Task ReadAsync_RealSample_YieldsHeaderSummaryDetectionsAndAppendix()
    {
        var elements = await ReadAllAsync(RealSample);

        elements.Select(e => e.Kind).ShouldBe([
            ScanResultElementKind.Header, ScanResultElementKind.Summary, ScanResultElementKind.Detection,
            ScanResultElementKind.Detection, ScanResultElementKind.Appendix,
        ]);
        elements[1].Fields["reference"].ShouldBe("scan/1533110666.07264");
        elements[1].Fields["asset_groups"].ShouldBeNull();
        elements[2].Detection!.Qid.ShouldBe(86000);
        elements[2].Detection!.Results.ShouldBe("Server Version\tServer Banner\ncloudflare-nginx\tcloudflare-nginx");
        elements[2].Detection!.Type.ShouldBe("Ig");
        var log4shell = elements[3].Detection!;
        log4shell.Title.ShouldBe("Apache Log4j Remote Code Execution (Log4Shell) é");
        log4shell.CveId.ShouldBe("CVE-2021-44228, CVE-2021-45046");
        log4shell.Cvss3Base.ShouldBe("10.0 (CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H)");
        log4shell.PciVuln.ShouldBe("yes");
        elements[4].Fields["target_distribution_across_scanner_appliances"].ShouldBe("External : 1.1.1.1");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public async Task ReadAsync_TinyReads_GiveTheSameElements(int chunkSize)
    {
        var whole = await ReadAllAsync(RealSample);

        var chunked = await ReadAllAsync(RealSample, chunkSize);

        chunked.Select(Describe).ShouldBe(whole.Select(Describe));
    }

    [Fact]
    public async Task ReadAsync_EveryTruncation_IsAnErrorNeverAShorterList()
    {
        var full = Encoding.UTF8.GetBytes(RealSample.TrimEnd());
        var survivors = new List<int>();

        for (var length = 0; length < full.Length; length++)
        {
            try
            {
                await ReadAllAsync(full.AsMemory(0, length).ToArray(), chunkSize: 5);
                survivors.Add(length);
            }
            catch (ScanResultFormatException)
            {
                // expected
            }
        }

        survivors.ShouldBeEmpty();
    }

    [Fact]
    public async Task ReadAsync_PluginArtifactWrapper_ReadsData_AndSkipsEvaluationResult()
    {
        var artifact = "{\"data\":" + RealSample + ",\n\"evaluationResult\":{\"qids\":{\"configured\":0},\"evaluationStatus\":\"fail\"}}";

        var elements = await ReadAllAsync(artifact, chunkSize: 3);

        elements.Count(e => e.Kind == ScanResultElementKind.Detection).ShouldBe(2);
    }

    [Fact]
    public async Task ReadAsync_WrapperWithMembersBeforeData_SkipsThem()
    {
        var artifact = "{\"evaluationResult\":{\"a\":[1,{\"b\":\"]\"}]},\"data\":" + RealSample + "}";

        var elements = await ReadAllAsync(artifact);

        elements.Count.ShouldBe(5);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   \n", "empty")]
    [InlineData("[]", "empty array")]
    [InlineData("<?xml version=\"1.0\"?><SIMPLE_RETURN><RESPONSE><CODE>1905</CODE></RESPONSE></SIMPLE_RETURN>", "XML")]
    [InlineData("<!DOCTYPE SIMPLE_RETURN SYSTEM \"x.dtd\"><SIMPLE_RETURN/>", "XML")]
    [InlineData("null", "not a JSON array")]
    [InlineData("{\"other\":1}", "without a \"data\" array")]
    [InlineData("[{\"a\":1},{\"qid\":1,\"type\":\"Vuln\",\"severity\":\"3\"}]", "no scan summary")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\"},{\"qid\":\"abc\"}]", "\"qid\" is not a number")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\"},{\"title\":\"t\",\"severity\":\"5\"}]", "no \"qid\"")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\"}] trailing", "after the end")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\"} {\"qid\":1}]", "Expected ','")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\"},42]", "not a JSON object")]
    [InlineData("[{\"a\":1},{\"reference\":\"scan/1\",}]", "not valid JSON")]
    public async Task ReadAsync_InputThatIsNotACompleteResult_Throws(string input, string expectedMessagePart)
    {
        var exception = await Should.ThrowAsync<ScanResultFormatException>(() => ReadAllAsync(input));

        exception.Message.ShouldContain(expectedMessagePart);
        exception.Message.ShouldContain("at byte");
    }

    [Fact]
    public async Task ReadAsync_ElementLargerThanTheBuffer_IsRead()
    {
        var huge = new string('x', 3 << 20);
        var input = "[{\"h\":1},\n{\"reference\":\"scan/1\"},\n{\"qid\":5,\"type\":\"Vuln\",\"severity\":\"3\",\"results\":\"" + huge + "\"}]";

        var elements = await ReadAllAsync(input, chunkSize: 100_000);

        elements[2].Detection!.Results!.Length.ShouldBe(huge.Length);
    }

    [Fact]
    public async Task ReadAsync_ByteOrderMarkAndStringQid_AreAccepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("[{\"h\":1},{\"reference\":\"r\"},{\"qid\":\"38170\",\"type\":\"Vuln\",\"severity\":\"3\"}]")).ToArray();

        var elements = await ReadAllAsync(bytes, chunkSize: 2);

        elements[2].Detection!.Qid.ShouldBe(38170);
    }

    [Fact]
    public async Task ReadAsync_DeadHostResult_HasNoDetections_AndEndsCleanly()
    {
        const string dead = "[{\"scan_report_template_title\":\"Scan Results\"},\n{\"reference\":\"scan/1.1\",\"status\":\"Finished\"},\n{\"hosts_not_scanned_host_not_alive_ip\":\"192.0.2.99\"}]";

        var elements = await ReadAllAsync(dead);

        elements.Select(e => e.Kind).ShouldBe([ScanResultElementKind.Header, ScanResultElementKind.Summary, ScanResultElementKind.Appendix]);
    }

    [Fact]
    public async Task ReadAsync_EscapedPropertyNames_AreRecognised()
    {
        const string input = "[{\"h\":1},{\"reference\":\"r\"},{\"q\\u0069d\":7,\"typ\\u0065\":\"Vuln\",\"s\\u0065verity\":\"4\"}]";

        var elements = await ReadAllAsync(input);

        elements[2].Detection!.Qid.ShouldBe(7);
        elements[2].Detection!.Severity.ShouldBe("4");
    }

    [Fact]
    public async Task ReadAsync_ManyDetections_AreAllYielded()
    {
        var builder = new StringBuilder("[{\"h\":1},\n{\"reference\":\"scan/1\"}");
        for (var i = 0; i < 20_000; i++)
        {
            builder.Append(",\n{\"ip\":\"192.0.2.10\",\"qid\":").Append(i).Append(",\"type\":\"Vuln\",\"severity\":\"3\",\"results\":\"").Append('r', i % 300).Append("\"}");
        }

        builder.Append(']');

        var elements = await ReadAllAsync(builder.ToString(), chunkSize: 8191);

        elements.Count(e => e.Kind == ScanResultElementKind.Detection).ShouldBe(20_000);
        elements[^1].Detection!.Qid.ShouldBe(19_999);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1)]
    public async Task ReadAsync_TrailingComma_IsAnError_EvenWhenTheCommaEndsARead(int chunkSize)
    {
        const string input = "[{\"h\":1},{\"reference\":\"scan/1\"},{\"qid\":1,\"type\":\"Vuln\",\"severity\":\"3\"},]";

        var exception = await Should.ThrowAsync<ScanResultFormatException>(() => ReadAllAsync(input, chunkSize));

        exception.Message.ShouldContain("element 3", Case.Insensitive);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(3)]
    public async Task ReadAsync_EvaluationFieldsOnly_KeepsWhatTheGateUses_AndTheSameTexts(int chunkSize)
    {
        var whole = await ReadAllAsync(RealSample);

        var lean = await ReadAllAsync(Encoding.UTF8.GetBytes(RealSample), chunkSize, evaluationFieldsOnly: true);

        lean.Select(e => e.Kind).ShouldBe(whole.Select(e => e.Kind));
        var log4shell = lean[3].Detection!;
        log4shell.Title.ShouldBe("Apache Log4j Remote Code Execution (Log4Shell) é");
        log4shell.CveId.ShouldBe("CVE-2021-44228, CVE-2021-45046");
        log4shell.Cvss3Base.ShouldBe(whole[3].Detection!.Cvss3Base);
        log4shell.PciVuln.ShouldBe("yes");

        // The Ig row: judged by type alone, so its texts after "type" are not materialised.
        var ig = lean[2].Detection!;
        ig.Qid.ShouldBe(86000);
        ig.Type.ShouldBe("Ig");
        ig.Results.ShouldBe(whole[2].Detection!.Results); // before "type" in this row: kept
        ig.Os.ShouldBeNull();
        ig.IpStatus.ShouldBeNull();
        ig.Threat.ShouldBeNull();
    }

    [Fact]
    public async Task ReadAsync_EvaluationFieldsOnly_KeepsResultsAndSolutionAsTokens_ThatDecodeToTheSameText()
    {
        const string input = "[{\"h\":1},{\"reference\":\"r\"},"
            + "{\"ip\":\"1.1.1.1\",\"qid\":1,\"type\":\"Vuln\",\"severity\":\"5\",\"threat\":\"t\",\"vendor_reference\":\"v\","
            + "\"results\":\"line1\\nC:\\\\Windows \\\"q\\\" <b>\",\"solution\":\"caf\u00e9 \\u00e9\",\"fqdn\":\"f\"}]";

        var elements = await ReadAllAsync(Encoding.UTF8.GetBytes(input), int.MaxValue, evaluationFieldsOnly: true);

        var detection = elements[2].Detection!;
        detection.ResultsJson.ShouldNotBeNull();
        Encoding.UTF8.GetString(detection.ResultsJson).ShouldBe("\"line1\\nC:\\\\Windows \\\"q\\\" <b>\"");
        detection.Results.ShouldBe("line1\nC:\\Windows \"q\" <b>");

        // A \u escape could be a lone surrogate: such a text is decoded (and checked) at once instead.
        detection.SolutionJson.ShouldBeNull();
        detection.Solution.ShouldBe("café é");
        detection.Threat.ShouldBeNull();
        detection.VendorReference.ShouldBeNull();
        detection.Fqdn.ShouldBeNull();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_InvalidUtf8InAText_IsAFormatErrorNamingTheElement(bool evaluationFieldsOnly)
    {
        var head = Encoding.UTF8.GetBytes("[{\"h\":1},{\"reference\":\"r\"},{\"qid\":1,\"type\":\"Vuln\",\"results\":\"bad ");
        var tail = Encoding.UTF8.GetBytes("\"}]");
        byte[] input = [.. head, 0xFF, 0xFE, .. tail];

        var exception = await Should.ThrowAsync<ScanResultFormatException>(() => ReadAllAsync(input, int.MaxValue, evaluationFieldsOnly));

        exception.Message.ShouldContain("Element 2");
        exception.Message.ShouldContain("UTF-8");
    }

    [Fact]
    public async Task ReadAsync_RepeatedShortValues_AreTheSameStrings_AndChangesAreSeen()
    {
        const string input = "[{\"h\":1},{\"reference\":\"r\"},"
            + "{\"ip\":\"10.0.0.1\",\"qid\":1,\"type\":\"Vuln\",\"severity\":\"3\",\"os\":\"Linux\"},{\"ip\":\"10.0.0.1\",\"qid\":2,\"type\":\"Vuln\",\"severity\":\"3\",\"os\":\"Linux\"},"
            + "{\"ip\":\"10.0.0.2\",\"qid\":3,\"type\":\"Vuln\",\"severity\":\"3\",\"os\":\"Linuz\"},{\"ip\":\"10.0.0.2\",\"qid\":4,\"type\":\"Vuln\",\"severity\":\"3\",\"os\":null}]";

        var rows = (await ReadAllAsync(input)).Where(e => e.Detection is not null).Select(e => e.Detection!).ToList();

        rows.Select(d => d.Ip).ShouldBe(["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.2"]);
        rows.Select(d => d.Os).ShouldBe(["Linux", "Linux", "Linuz", null]);
        ReferenceEquals(rows[0].Ip, rows[1].Ip).ShouldBeTrue();
    }

    private static string Describe(Element element) => element.Kind + ":" + (element.Detection is { } d
        ? d.Qid + "|" + d.Title + "|" + d.Results + "|" + d.CveId
        : string.Join(';', element.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value)));

    private static Task<List<Element>> ReadAllAsync(string input, int chunkSize = int.MaxValue) =>
        ReadAllAsync(Encoding.UTF8.GetBytes(input), chunkSize);

    private static async Task<List<Element>> ReadAllAsync(byte[] input, int chunkSize = int.MaxValue, bool evaluationFieldsOnly = false)
    {
        var elements = new List<Element>();
        await using var reader = new ScanResultReader(new ChunkedStream(input, chunkSize)) { EvaluationFieldsOnly = evaluationFieldsOnly };
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            elements.Add(new Element(reader.Kind, reader.Detection, reader.Fields));
        }

        return elements;
    }

    private sealed record Element(ScanResultElementKind Kind, Detection? Detection, IReadOnlyDictionary<string, string?> Fields);

    /// <summary>Returns at most <c>chunkSize</c> bytes per read, like a slow network.</summary>
    private sealed class ChunkedStream(byte[] data, int chunkSize) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunkSize)], cancellationToken);
    }
}
