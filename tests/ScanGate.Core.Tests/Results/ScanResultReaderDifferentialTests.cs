using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CsCheck;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Results;

/// <summary>
/// The reader, read sequentially and with parallel parsing, against the Utf8JsonReader oracle
/// (<see cref="ReferenceResultParser"/>): on random results, on randomly broken ones and on results with one defect of
/// each kind the reader refuses, they must yield the same elements, or both refuse at the same element.
/// </summary>
public sealed class ScanResultReaderDifferentialTests
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
        from severity in Gen.Int[1, 5]
        from values in GenValue.Array[Keys.Length]
        from present in Gen.Bool.Array[Keys.Length]
        from space in Gen.Int[0, 5]
        select Element(qid, qidAsString == 0, TypeNames[typeIndex], severity, values, present, space == 0 ? " " : "");

    private static readonly Gen<string[]> GenRows = GenDetection.Array[0, 120];

    private static readonly Gen<string> GenResult =
        from rows in GenRows
        from prettyRow in Gen.Int[-1, 119]
        from wrapped in Gen.Int[0, 5]
        select Document(rows, prettyRow, wrapped == 0);

    public static TheoryData<bool> Options => [false, true];

    [Theory]
    [MemberData(nameof(Options))]
    public void RandomResults_ReaderAndOracle_YieldTheSameElements(bool evaluationFieldsOnly)
    {
        Gen.Select(GenResult, Gen.Int[1, 4096]).Sample((result, chunk) =>
        {
            var bytes = Encoding.UTF8.GetBytes(result);
            var oracle = Oracle(bytes, evaluationFieldsOnly);
            oracle.Refused.ShouldBeFalse(oracle.Error);
            Read(bytes, chunk, parallel: false, evaluationFieldsOnly).ShouldBe(oracle);
            Read(bytes, chunk, parallel: true, evaluationFieldsOnly).ShouldBe(oracle);
        }, iter: 150);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void BrokenResults_ReaderAndOracle_RefuseAtTheSameElementOrAcceptAlike(bool evaluationFieldsOnly)
    {
        // ASCII that breaks the grammar, and bytes that break UTF-8 (a lone continuation byte, a lead byte without its
        // continuation, a byte never valid, a surrogate's lead).
        byte[] breakers = [.. "\"{}[],:\\ \nu0a\u0001-.eE"u8, 0x80, 0xC3, 0xFF, 0xED];
        var genBroken =
            from result in GenResult
            from at in Gen.Double[0, 1]
            from kind in Gen.Int[0, 3]
            from breaker in Gen.Int[0, breakers.Length - 1]
            select Break(Encoding.UTF8.GetBytes(result), at, kind, breakers[breaker]);

        Gen.Select(genBroken, Gen.Int[1, 4096]).Sample((bytes, chunk) =>
        {
            var oracle = Oracle(bytes, evaluationFieldsOnly);
            Read(bytes, chunk, parallel: false, evaluationFieldsOnly).ShouldBe(oracle);
            Read(bytes, chunk, parallel: true, evaluationFieldsOnly).ShouldBe(oracle);
        }, iter: 500);
    }

    [Theory]
    [MemberData(nameof(Options))]
    public void OneDefectiveRow_ReaderAndOracle_RefuseAtThatRow(bool evaluationFieldsOnly)
    {
        var genCase =
            from rows in GenDetection.Array[1, 120]
            from row in Gen.Int[0, 119]
            from defect in Gen.Enum<RowDefect>()
            from key in Gen.Int[0, Keys.Length - 1]
            from chunk in Gen.Int[1, 4096]
            select (Rows: rows, Row: row % rows.Length, Defect: defect, Key: key, Chunk: chunk);

        genCase.Sample(c =>
        {
            var rows = c.Rows.ToArray();
            rows[c.Row] = Defective(rows[c.Row], c.Defect, c.Key);
            var bytes = ToBytes(Document(rows, prettyRow: -1, wrapped: false));
            var oracle = Oracle(bytes, evaluationFieldsOnly);
            oracle.Refused.ShouldBeTrue($"{c.Defect} in {rows[c.Row]}");
            oracle.ErrorIndex.ShouldBe(c.Row + 2);
            Read(bytes, c.Chunk, parallel: false, evaluationFieldsOnly).ShouldBe(oracle);
            Read(bytes, c.Chunk, parallel: true, evaluationFieldsOnly).ShouldBe(oracle);
        }, iter: 300);
    }

    [Fact]
    public void LargeResult_IsSplitAcrossThreads_AndReadInOrder()
    {
        var bytes = LargeDocument(20_000);

        var oracle = Oracle(bytes, evaluationFieldsOnly: true);
        var parallel = Read(bytes, int.MaxValue, parallel: true, evaluationFieldsOnly: true, fragmentMinimum: 64 * 1024);

        parallel.ShouldBe(oracle);
        parallel.FragmentsUsed.ShouldBeGreaterThan(0);
        oracle.Joined.Split('\n').Count(e => e.StartsWith("Detection", StringComparison.Ordinal)).ShouldBe(20_000);
    }

    [Theory]
    [InlineData(RowDefect.DuplicateKey)]
    [InlineData(RowDefect.InvalidUtf8)]
    [InlineData(RowDefect.InvalidUtf8InThreat)]
    [InlineData(RowDefect.LoneSurrogate)]
    [InlineData(RowDefect.NoQid)]
    [InlineData(RowDefect.NoType)]
    [InlineData(RowDefect.NoSeverity)]
    [InlineData(RowDefect.NullSeverity)]
    public void LargeResult_ADefectAtAnyRow_IsRefusedAtThatRow_WithParallelParsing(RowDefect defect)
    {
        var clean = LargeDocument(4_000);
        var offsets = RowOffsets(clean);
        var usedFragments = 0;
        foreach (var row in new[] { 0, 999, 1_001, 1_999, 2_000, 2_001, 2_999, 3_500, 3_999 })
        {
            var line = Encoding.UTF8.GetString(clean, offsets[row], offsets[row + 1] - offsets[row] - 2);
            byte[] bytes = [.. clean[..offsets[row]], .. ToBytes(Defective(line, defect, 12)), .. clean[(offsets[row + 1] - 2)..]];

            Oracle(bytes, evaluationFieldsOnly: true).ErrorIndex.ShouldBe(row + 2);
            var parallel = Read(bytes, int.MaxValue, parallel: true, evaluationFieldsOnly: true, fragmentMinimum: 16 * 1024);
            parallel.ErrorIndex.ShouldBe(row + 2, $"{defect} at row {row}");
            usedFragments += parallel.FragmentsUsed;
        }

        usedFragments.ShouldBeGreaterThan(0);
    }

    private const string Header = "{\"scan_report_template_title\":\"Scan Results\",\"company\":\"X\"}";
    private const string Summary = "{\"reference\":\"scan/1.1\",\"status\":\"Finished\",\"launch_date\":\"11/28/2026 10:00:00\"}";
    private const string Vuln = "{\"ip\":\"10.0.0.1\",\"qid\":1,\"title\":\"t\",\"type\":\"Vuln\",\"severity\":\"5\",\"threat\":\"th\",\"impact\":\"im\",\"vendor_reference\":\"v\",\"results\":\"r\"}";
    private const string Ig = "{\"ip\":\"10.0.0.1\",\"qid\":2,\"title\":\"ig\",\"type\":\"Ig\",\"severity\":\"1\",\"results\":\"ig text\",\"solution\":\"s\"}";
    private const string Appendix = "{\"target_distribution_across_scanner_appliances\":\"External\"}";

    /// <summary>
    /// Each refusal: the document (a NUL stands for an invalid UTF-8 byte), the element, the key named, a part of the
    /// message, and the text whose first occurrence starts at the byte named ("$" for the end of the document).
    /// </summary>
    private static readonly Dictionary<string, (string Document, long Element, string? Field, string Message, string Marker)> Refusals = new(StringComparer.Ordinal)
    {
        ["duplicate key in the header"] = (Doc(h: Header.Replace("}", ",\"company\":\"Y\"}", StringComparison.Ordinal)), 0, "company", "twice", "\"company\":\"Y\""),
        ["duplicate key in the summary"] = (Doc(s: Summary.Replace("\"Finished\"", "\"Finished\",\"status\":\"Running\"", StringComparison.Ordinal)), 1, "status", "twice", "\"status\":\"Running\""),
        ["severity 5 then severity 1"] = (Doc(v: Vuln.Replace("\"severity\":\"5\"", "\"severity\":\"5\",\"severity\":\"1\"", StringComparison.Ordinal)), 2, "severity", "twice", "\"severity\":\"1\""),
        ["severity then an escaped severity"] = (Doc(v: Vuln.Replace("\"severity\":\"5\"", "\"severity\":\"5\",\"s\\u0065verity\":\"1\"", StringComparison.Ordinal)), 2, "severity", "twice", "\"s\\u0065verity\""),
        ["duplicate qid"] = (Doc(v: Vuln.Replace("\"qid\":1,", "\"qid\":1,\"qid\":9,", StringComparison.Ordinal)), 2, "qid", "twice", "\"qid\":9"),
        ["duplicate unknown key"] = (Doc(v: Vuln.Replace("}", ",\"x\":1,\"x\":2}", StringComparison.Ordinal)), 2, "x", "twice", "\"x\":2"),
        ["duplicate key in the appendix"] = (Doc(a: Appendix.Replace("}", ",\"target_distribution_across_scanner_appliances\":\"Other\"}", StringComparison.Ordinal)), 4, "target_distribution_across_scanner_appliances", "twice", "\"target_distribution_across_scanner_appliances\":\"Other\""),
        ["invalid UTF-8 in threat"] = (Doc(v: Vuln.Replace("\"th\"", "\"t\0h\"", StringComparison.Ordinal)), 2, "threat", "UTF-8", "\"t\0h\""),
        ["invalid UTF-8 in impact"] = (Doc(v: Vuln.Replace("\"im\"", "\"i\0m\"", StringComparison.Ordinal)), 2, "impact", "UTF-8", "\"i\0m\""),
        ["invalid UTF-8 in vendor_reference"] = (Doc(v: Vuln.Replace("\"v\"", "\"\0\"", StringComparison.Ordinal)), 2, "vendor_reference", "UTF-8", "\"\0\""),
        ["invalid UTF-8 after type Ig"] = (Doc(i: Ig.Replace("\"ig text\"", "\"ig\0text\"", StringComparison.Ordinal)), 3, "results", "UTF-8", "\"ig\0text\""),
        ["invalid UTF-8 in the header"] = (Doc(h: Header.Replace("\"X\"", "\"\0\"", StringComparison.Ordinal)), 0, "company", "UTF-8", "\"\0\""),
        ["invalid UTF-8 in a key"] = (Doc(v: Vuln.Replace("}", ",\"ex\0tra\":1}", StringComparison.Ordinal)), 2, null, "UTF-8", "\"ex\0tra\""),
        ["invalid UTF-8 in a nested value"] = (Doc(v: Vuln.Replace("}", ",\"extra\":{\"a\":[\"\0\"]}}", StringComparison.Ordinal)), 2, "extra", "UTF-8", "{\"a\":[\"\0"),
        ["lone surrogate escape in threat"] = (Doc(v: Vuln.Replace("\"th\"", "\"\\udc00\"", StringComparison.Ordinal)), 2, "threat", "UTF-16", "\"\\udc00\""),
        ["invalid UTF-8 in the plugin artifact's evaluationResult"] = ("{\"data\":" + Doc() + ",\"evaluationResult\":{\"note\":\"\0\"}}", 5, null, "UTF-8", ",\"evaluationResult\""),
        ["a second data array in the plugin artifact"] = ("{\"data\":" + Doc() + ",\"data\":[]}", 5, "data", "second \"data\"", ",\"data\":[]"),
        ["a row that lost its qid and title"] = (Doc(v: Vuln.Replace("\"qid\":1,", string.Empty, StringComparison.Ordinal).Replace("\"title\":\"t\",", string.Empty, StringComparison.Ordinal)), 2, "qid", "no \"qid\"", "{\"ip\":\"10.0.0.1\",\"type\""),
        ["a row without type"] = (Doc(v: Vuln.Replace("\"type\":\"Vuln\",", string.Empty, StringComparison.Ordinal)), 2, "type", "without \"type\"", "{\"ip\":\"10.0.0.1\",\"qid\":1,\"title\":\"t\",\"severity\""),
        ["a row without severity"] = (Doc(v: Vuln.Replace("\"severity\":\"5\",", string.Empty, StringComparison.Ordinal)), 2, "severity", "without \"severity\"", "{\"ip\":\"10.0.0.1\",\"qid\":1,\"title\":\"t\",\"type\":\"Vuln\",\"threat\""),
        ["a row with a null severity"] = (Doc(v: Vuln.Replace("\"severity\":\"5\"", "\"severity\":null", StringComparison.Ordinal)), 2, "severity", "null \"severity\"", "{\"ip\":\"10.0.0.1\",\"qid\":1,\"title\":\"t\",\"type\":\"Vuln\",\"severity\":null"),
        ["an Ig row without severity"] = (Doc(i: Ig.Replace("\"severity\":\"1\",", string.Empty, StringComparison.Ordinal)), 3, "severity", "without \"severity\"", "{\"ip\":\"10.0.0.1\",\"qid\":2,"),
        ["no header"] = ("[" + Summary + ",\n" + Vuln + ",\n" + Ig + ",\n" + Appendix + "]", 4, null, "no header", "$"),
        ["no summary"] = ("[" + Header + ",\n" + Vuln + ",\n" + Ig + ",\n" + Appendix + "]", 4, null, "no scan summary", "$"),
        ["a second summary"] = ("[" + Header + ",\n" + Summary + ",\n" + Vuln + ",\n" + Summary + ",\n" + Appendix + "]", 3, "reference", "second scan summary", Summary + ",\n" + Appendix),
    };

    public static TheoryData<string> RefusalNames => [.. Refusals.Keys];

    [Theory]
    [MemberData(nameof(RefusalNames))]
    public void EachRefusal_ReaderAndOracle_RefuseAtTheSameElement_AndTheReaderNamesTheKeyAndTheByte(string name)
    {
        var (document, element, field, message, marker) = Refusals[name];
        var bytes = ToBytes(document);
        var position = string.Equals(marker, "$", StringComparison.Ordinal) ? bytes.Length : document.IndexOf(marker, StringComparison.Ordinal);
        position.ShouldBeGreaterThanOrEqualTo(0);
        Read(ToBytes(Doc()), int.MaxValue, parallel: false, evaluationFieldsOnly: false).Refused.ShouldBeFalse("the unbroken document is valid");

        var oracle = Oracle(bytes, evaluationFieldsOnly: false);
        oracle.Refused.ShouldBeTrue();
        oracle.ErrorIndex.ShouldBe(element, oracle.Error);
        foreach (var (chunk, parallel, evaluationFieldsOnly) in new[] { (int.MaxValue, false, false), (1, false, true), (7, true, true), (int.MaxValue, true, false) })
        {
            var error = ReadError(bytes, chunk, parallel, evaluationFieldsOnly);
            error.ShouldNotBeNull($"{name}: accepted (chunk {chunk}, parallel {parallel})");
            error.ElementIndex.ShouldBe(element, error.Message);
            error.Field.ShouldBe(field, error.Message);
            error.BytePosition.ShouldBe(position, error.Message);
            error.Message.ShouldContain(message, Case.Insensitive);
            error.Message.ShouldContain($"at byte {position}, element {element}");
        }
    }

    private static string Doc(string h = Header, string s = Summary, string v = Vuln, string i = Ig, string a = Appendix) =>
        "[" + h + ",\n" + s + ",\n" + v + ",\n" + i + ",\n" + a + "]";

    private static ScanResultFormatException? ReadError(byte[] bytes, int chunk, bool parallel, bool evaluationFieldsOnly)
    {
        var reader = new ScanResultReader(new ChunkedStream(bytes, chunk)) { EvaluationFieldsOnly = evaluationFieldsOnly, ParallelParsing = parallel, FragmentMinimum = 16 };
        try
        {
            while (reader.ReadAsync().AsTask().GetAwaiter().GetResult())
            {
            }

            return null;
        }
        catch (ScanResultFormatException e)
        {
            return e;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    public enum RowDefect
    {
        DuplicateKey,
        DuplicateSeverity,
        InvalidUtf8,
        InvalidUtf8InKey,
        InvalidUtf8InThreat,
        InvalidUtf8AfterIgType,
        LoneSurrogate,
        NoQid,
        NoType,
        NoSeverity,
        NullSeverity,
    }

    // One defect in a row written by Element(): qid, type and severity first, then the other keys. A NUL character
    // stands for an invalid UTF-8 byte (ToBytes makes it 0xFF): no generated value has one unescaped.
    private static string Defective(string row, RowDefect defect, int keyIndex)
    {
        var body = row[1..^1];
        var members = SplitMembers(body);
        var key = Keys[keyIndex];
        return defect switch
        {
            RowDefect.DuplicateKey => "{" + body + "," + members[keyIndex % members.Count] + "}",
            RowDefect.DuplicateSeverity => "{" + body + ",\"severity\":\"1\"}",
            RowDefect.InvalidUtf8 => "{" + RemoveKey(body, key) + ",\"" + key + "\":\"x\u0000BAD\"}",
            RowDefect.InvalidUtf8InKey => "{" + body + ",\"ke\u0000y\":1}",
            RowDefect.InvalidUtf8InThreat => "{" + RemoveKey(body, "threat") + ",\"threat\":\"x\u0000BAD\"}",
            RowDefect.InvalidUtf8AfterIgType => "{" + ReplaceType(RemoveKey(body, "results"), "Ig") + ",\"results\":\"x\u0000BAD\"}",
            RowDefect.LoneSurrogate => "{" + RemoveKey(body, "impact") + ",\"impact\":\"x\\udc00y\"}",
            RowDefect.NoQid => "{" + RemoveKey(body, "qid") + "}",
            RowDefect.NoType => "{" + RemoveKey(body, "type") + "}",
            RowDefect.NoSeverity => "{" + RemoveKey(body, "severity") + "}",
            _ => "{" + RemoveKey(body, "severity") + ",\"severity\":null}",
        };
    }

    // Rows are written with one key per ',"' boundary: the key's member is removed whole.
    private static string RemoveKey(string body, string key)
    {
        var members = SplitMembers(body);
        return string.Join(',', members.Where(m => !m.TrimStart().StartsWith("\"" + key + "\"", StringComparison.Ordinal)));
    }

    private static string ReplaceType(string body, string type) =>
        string.Join(',', SplitMembers(body).Select(m => m.TrimStart().StartsWith("\"type\"", StringComparison.Ordinal) ? "\"type\":\"" + type + "\"" : m));

    // Splits an object's body at the commas between members (not those inside strings or nested values).
    private static List<string> SplitMembers(string body)
    {
        var members = new List<string>();
        var depth = 0;
        var inString = false;
        var start = 0;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
            }
            else if (c == '"')
            {
                inString = true;
            }
            else if (c is '{' or '[')
            {
                depth++;
            }
            else if (c is '}' or ']')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                members.Add(body[start..i]);
                start = i + 1;
            }
        }

        members.Add(body[start..]);
        return members;
    }

    internal static byte[] ToBytes(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        bytes.AsSpan().Replace((byte)0, (byte)0xFF);
        return bytes;
    }

    private static byte[] LargeDocument(int rows) => Encoding.UTF8.GetBytes(Document(
        [.. Enumerable.Range(1, rows).Select(i => Element(i, false, i % 3 == 0 ? "Ig" : "Vuln", 1 + (i % 5),
            [.. Keys.Select((k, j) => JsonSerializer.Serialize($"{k} {i} {j} ü \"q\"", Relaxed))], [.. Keys.Select(_ => true)], ""))],
        -1, wrapped: false));

    // The byte offset of each row's line (rows start on the line after the summary), and of the appendix line.
    private static List<int> RowOffsets(byte[] document)
    {
        var starts = new List<int>();
        for (var i = 0; i < document.Length; i++)
        {
            if (document[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts.Skip(1).ToList();
    }

    internal static string Element(long qid, bool qidAsString, string type, int severity, string[] values, bool[] present, string space)
    {
        var text = new StringBuilder("{");
        text.Append("\"qid\":").Append(space).Append(qidAsString ? $"\"{qid}\"" : qid.ToString(CultureInfo.InvariantCulture));
        text.Append(",\"type\":").Append(space).Append(JsonSerializer.Serialize(type));
        text.Append(",\"severity\":").Append(space).Append('"').Append(severity).Append('"');
        for (var i = 0; i < Keys.Length; i++)
        {
            if (present[i] && Keys[i] is not ("type" or "severity"))
            {
                text.Append(',').Append(space).Append('"').Append(Keys[i]).Append("\":").Append(space).Append(values[i]);
            }
        }

        return text.Append('}').ToString();
    }

    internal static string Document(string[] rows, int prettyRow, bool wrapped)
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

    /// <summary>The elements yielded, or the element where the input was refused. Errors compare by element only.</summary>
    internal sealed record Outcome(bool Refused, long ErrorIndex, string Joined)
    {
        public string? Error { get; init; }

        public int FragmentsUsed { get; init; }

        public bool Equals(Outcome? other) =>
            other is not null && Refused == other.Refused && ErrorIndex == other.ErrorIndex && string.Equals(Joined, other.Joined, StringComparison.Ordinal);

        public override int GetHashCode() => HashCode.Combine(Refused, ErrorIndex, Joined.Length);
    }

    private static Outcome Oracle(byte[] bytes, bool evaluationFieldsOnly)
    {
        try
        {
            var elements = ReferenceResultParser.Parse(bytes);
            return new Outcome(false, -1, string.Join('\n', elements.Select(e => ReferenceResultParser.Describe(e, evaluationFieldsOnly))));
        }
        catch (ReferenceResultParser.Refusal e)
        {
            return new Outcome(true, e.ElementIndex, string.Empty) { Error = e.Message };
        }
    }

    internal static Outcome Read(byte[] bytes, int chunk, bool parallel, bool evaluationFieldsOnly, int fragmentMinimum = 256)
    {
        var elements = new List<string>();
        var reader = new ScanResultReader(new ChunkedStream(bytes, chunk))
        {
            EvaluationFieldsOnly = evaluationFieldsOnly,
            ParallelParsing = parallel,
            FragmentMinimum = fragmentMinimum,
        };
        try
        {
            while (reader.ReadAsync().AsTask().GetAwaiter().GetResult())
            {
                elements.Add(ReferenceResultParser.Describe(reader));
            }

            return new Outcome(false, -1, string.Join('\n', elements)) { FragmentsUsed = reader.FragmentsUsed };
        }
        catch (ScanResultFormatException e)
        {
            return new Outcome(true, e.ElementIndex, string.Empty) { Error = e.Message, FragmentsUsed = reader.FragmentsUsed };
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Returns at most <c>chunkSize</c> bytes per read.</summary>
    internal sealed class ChunkedStream(byte[] data, int chunkSize) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunkSize));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunkSize)], cancellationToken);
    }
}
