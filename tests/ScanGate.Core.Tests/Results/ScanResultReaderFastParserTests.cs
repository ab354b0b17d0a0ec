using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Results;

/// <summary>
/// The fast parser and the parallel parser against the Utf8JsonReader parser (the reference): on random results and on
/// randomly broken ones they must yield the same elements, or all refuse the input.
/// </summary>
public sealed class ScanResultReaderFastParserTests
{
    private static readonly string[] Texts =
    [
        "", "plain", "ümlaut café", "quote \" inside", "back\\slash C:\\Windows", "tab\tand\nnewline", "\u0001control",
        "emoji 😀", "<script>alert(1)</script>", "slash / and \\/", "10.0.0.1", "Vuln", "Ig", "Practice", "5", "tcp",
        "7.5 (AV:N/AC:L/Au:N/C:P/I:P/A:P)", "CVE-2021-44228, CVE-2021-45046", "\u2028 line separator", "x\u00A0y",
    ];

    private static readonly string[] Keys =
    [
        "ip", "dns", "netbios", "os", "ip_status", "title", "type", "severity", "port", "protocol", "fqdn", "ssl", "cve_id",
        "vendor_reference", "bugtraq_id", "cvss_base", "cvss_temporal", "cvss3_base", "cvss3_temporal", "threat", "impact",
        "solution", "exploitability", "associated_malware", "results", "pci_vuln", "instance", "category", "extra_key",
    ];

    private static readonly string[] TypeNames = ["Vuln", "Practice", "Ig", "ig"];

    private static readonly JsonSerializerOptions Ascii = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Gen<string> GenText =
        Gen.OneOf(
            Gen.Int[0, Texts.Length - 1].Select(i => Texts[i]),
            Gen.Int[0, Texts.Length - 1].Array[1, 12].Select(parts => string.Join(' ', parts.Select(i => Texts[i]))));

    // A JSON value as Qualys might send it: a string (escaped two ways), null, a number or, under an unknown key, an object.
    private static readonly Gen<string> GenValue =
        from kind in Gen.Int[0, 9]
        from text in GenText
        from number in Gen.Int[0, 99999]
        select kind switch
        {
            0 => "null",
            1 => number.ToString(CultureInfo.InvariantCulture),
            2 => "{\"nested\": [1, \"a\", {\"b\": null}], \"t\": true}",
            3 or 4 => JsonSerializer.Serialize(text, Ascii),
            _ => JsonSerializer.Serialize(text, Relaxed),
        };

    private static readonly Gen<string> GenDetection =
        from qid in Gen.Int[0, 400000]
        from qidAsString in Gen.Int[0, 9]
        from typeIndex in Gen.Int[0, 3]
        from values in GenValue.Array[Keys.Length]
        from present in Gen.Bool.Array[Keys.Length]
        from space in Gen.Int[0, 5]
        select Element(qid, qidAsString == 0, TypeNames[typeIndex], values, present, space == 0 ? " " : "");

    private static readonly Gen<string> GenResult =
        from rows in GenDetection.Array[0, 120]
        from prettyRow in Gen.Int[-1, 119]
        from wrapped in Gen.Int[0, 5]
        select Document(rows, prettyRow, wrapped == 0);

    public static TheoryData<bool> Options => [false, true];

    [Theory]
    [MemberData(nameof(Options))]
    public void RandomResults_AllParsers_YieldTheSameElements(bool evaluationFieldsOnly)
    {
        Gen.Select(GenResult, Gen.Int[1, 4096]).Sample((result, chunk) =>
        {
            var bytes = Encoding.UTF8.GetBytes(result);
            var reference = Read(bytes, chunk, Parser.Reference, evaluationFieldsOnly);
            reference.Error.ShouldBeNull(reference.Error);
            Read(bytes, chunk, Parser.Fast, evaluationFieldsOnly).ShouldBe(reference);
            Read(bytes, chunk, Parser.Parallel, evaluationFieldsOnly).ShouldBe(reference);
        }, iter: 150);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void BrokenResults_AllParsers_RefuseOrAcceptAlike(bool evaluationFieldsOnly)
    {
        const string Breakers = "\"{}[],:\\ \nu0a\u0001-.eE";
        var genBroken =
            from result in GenResult
            from at in Gen.Double[0, 1]
            from kind in Gen.Int[0, 3]
            from breaker in Gen.Int[0, Breakers.Length - 1]
            select Break(Encoding.UTF8.GetBytes(result), at, kind, (byte)Breakers[breaker]);

        Gen.Select(genBroken, Gen.Int[1, 4096]).Sample((bytes, chunk) =>
        {
            var reference = Read(bytes, chunk, Parser.Reference, evaluationFieldsOnly);
            Read(bytes, chunk, Parser.Fast, evaluationFieldsOnly).ShouldBe(reference with { Error = reference.Error is null ? null : "refused" });
            Read(bytes, chunk, Parser.Parallel, evaluationFieldsOnly).ShouldBe(reference with { Error = reference.Error is null ? null : "refused" });
        }, iter: 500);
    }

    [Fact]
    public void InvalidUtf8InASkippedText_IsNotReadByAnyParser_InvalidUtf8InAKeptText_IsRefusedByAll()
    {
        var head = "[{\"h\":1},\n{\"reference\":\"r\"},\n{\"qid\":1,\"type\":\"Vuln\",\"threat\":\"x";
        byte[] skipped = [.. Encoding.UTF8.GetBytes(head), 0xFF, .. Encoding.UTF8.GetBytes("\",\"title\":\"ok\"}]")];
        byte[] kept = [.. Encoding.UTF8.GetBytes(head.Replace("threat", "title", StringComparison.Ordinal)), 0xFF, .. Encoding.UTF8.GetBytes("\"}]")];

        foreach (var parser in new[] { Parser.Reference, Parser.Fast, Parser.Parallel })
        {
            Read(skipped, 4096, parser, evaluationFieldsOnly: true).Error.ShouldBeNull(parser.ToString());
            Read(kept, 4096, parser, evaluationFieldsOnly: true).Error.ShouldNotBeNull(parser.ToString());
        }
    }

    [Fact]
    public void LargeResult_IsSplitAcrossThreads_AndReadInOrder()
    {
        var rows = Enumerable.Range(1, 20_000).Select(i => Element(i, false, i % 3 == 0 ? "Ig" : "Vuln",
            [.. Keys.Select((k, j) => JsonSerializer.Serialize($"{k} {i} {j} ü \"q\"", Relaxed))], [.. Keys.Select(_ => true)], ""));
        var bytes = Encoding.UTF8.GetBytes(Document([.. rows], -1, wrapped: false));

        var reference = Read(bytes, int.MaxValue, Parser.Reference, evaluationFieldsOnly: true);
        var parallel = Read(bytes, int.MaxValue, Parser.Parallel, evaluationFieldsOnly: true, fragmentMinimum: 64 * 1024);

        parallel.ShouldBe(reference);
        reference.Elements.Count(e => e.StartsWith("Detection", StringComparison.Ordinal)).ShouldBe(20_000);
    }

    private enum Parser
    {
        Reference,
        Fast,
        Parallel,
    }

    private static string Element(long qid, bool qidAsString, string type, string[] values, bool[] present, string space)
    {
        var text = new StringBuilder("{");
        text.Append("\"qid\":").Append(space).Append(qidAsString ? $"\"{qid}\"" : qid.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"type\":").Append(space).Append(JsonSerializer.Serialize(type));
        for (var i = 0; i < Keys.Length; i++)
        {
            if (present[i] && !string.Equals(Keys[i], "type", StringComparison.Ordinal))
            {
                text.Append(',').Append(space).Append('"').Append(Keys[i]).Append("\":").Append(space).Append(values[i]);
            }
        }

        return text.Append('}').ToString();
    }

    private static string Document(string[] rows, int prettyRow, bool wrapped)
    {
        var text = new StringBuilder(wrapped ? "{\"data\":[" : "[");
        text.Append("{\"scan_report_template_title\":\"Scan Results\",\"company\":\"X\"},\n");
        text.Append("{\"reference\":\"scan/1.1\",\"status\":\"Finished\",\"launch_date\":\"11/28/2026\"}");
        for (var i = 0; i < rows.Length; i++)
        {
            // One element may be pretty-printed over several lines (elements then do not start at line starts).
            text.Append(",\n").Append(i == prettyRow ? rows[i].Replace(",\"", ",\n  \"", StringComparison.Ordinal) : rows[i]);
        }

        text.Append(",\n{\"target_distribution_across_scanner_appliances\":\"External\"}]");
        return text.Append(wrapped ? ",\"evaluationResult\":{}}" : string.Empty).ToString();
    }

    private static byte[] Break(byte[] bytes, double at, int kind, byte breaker)
    {
        var index = (int)(at * (bytes.Length - 1));
        return kind switch
        {
            0 => [.. bytes[..index], .. bytes[(index + 1)..]],
            1 => [.. bytes[..index], breaker, .. bytes[index..]],
            2 => [.. bytes[..index], breaker, .. bytes[(index + 1)..]],
            _ => bytes[..index],
        };
    }

    private sealed record Outcome(string? Error, string Joined)
    {
        public List<string> Elements { get; init; } = [];

        public bool Equals(Outcome? other) =>
            other is not null && string.Equals(Error, other.Error, StringComparison.Ordinal) && string.Equals(Joined, other.Joined, StringComparison.Ordinal);

        public override int GetHashCode() => HashCode.Combine(Error, Joined.Length);
    }

    private static Outcome Read(byte[] bytes, int chunk, Parser parser, bool evaluationFieldsOnly, int fragmentMinimum = 256)
    {
        var elements = new List<string>();
        try
        {
            var reader = new ScanResultReader(new ChunkedStream(bytes, chunk))
            {
                EvaluationFieldsOnly = evaluationFieldsOnly,
                FastParser = parser != Parser.Reference,
                ParallelParsing = parser == Parser.Parallel,
                FragmentMinimum = fragmentMinimum,
            };
            try
            {
                while (reader.ReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    elements.Add(Describe(reader));
                }
            }
            finally
            {
                reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            return new Outcome(null, string.Join('\n', elements)) { Elements = elements };
        }
        catch (ScanResultFormatException e)
        {
            return new Outcome(parser == Parser.Reference ? e.Message : "refused", string.Empty);
        }
    }

    private static string Describe(ScanResultReader reader)
    {
        var head = $"{reader.Kind}#{reader.ElementIndex}@{reader.BytePosition}:";
        if (reader.Detection is not { } d)
        {
            return head + string.Join(';', reader.Fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + f.Value));
        }

        return head + string.Join('|', d.Qid, d.Ip, d.Dns, d.Netbios, d.Os, d.IpStatus, d.Title, d.Type, d.Severity, d.Port, d.Protocol,
            d.Fqdn, d.Ssl, d.CveId, d.VendorReference, d.BugtraqId, d.CvssBase, d.CvssTemporal, d.Cvss3Base, d.Cvss3Temporal, d.Threat,
            d.Impact, d.Solution, d.Exploitability, d.AssociatedMalware, d.Results, d.PciVuln, d.Instance, d.Category);
    }

    /// <summary>Returns at most <c>chunkSize</c> bytes per read.</summary>
    private sealed class ChunkedStream(byte[] data, int chunkSize) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunkSize)], cancellationToken);
    }
}
