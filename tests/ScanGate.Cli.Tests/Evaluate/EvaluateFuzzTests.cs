using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScanGate.Cli.Tests.Evaluate;

/// <summary>
/// The real <c>scangate evaluate</c>, in-process, on a generated json_extended result of a few hundred detections
/// and on broken copies of it: a truncated result is always exit 2; a mutated one never ends in exit 70 and never
/// hangs; and when ScanGate judges a mutated result, a strict JSON parser accepts it too and its re-serialisation gets
/// the same verdict (so nothing but the JSON's meaning decided it). Every case is deterministic (fixed seeds).
/// </summary>
public sealed class EvaluateFuzzTests
{
    private const string FileName = "result.json";

    /// <summary>A case that has not ended by then is a hang: the test fails (a bound, not a timing assertion).</summary>
    private static readonly TimeSpan CaseBound = TimeSpan.FromSeconds(60);

    // Fails on the generated result (confirmed findings of severity 3 and 4), and passes on it (no confirmed 5).
    private static readonly string[] FailingPolicy = ["--fail-on-severity", "3"];
    private static readonly string[] PassingPolicy = ["--fail-on-severity", "5", "--fail-on-cves", "CVE-1999-0001"];

    private static readonly Lazy<byte[]> Valid = new(() => GenerateResult(rows: 300, seed: 20261128));

    private static readonly Lazy<List<Token>> ValidTokens = new(() => Tokenize(Valid.Value));

    [Fact]
    public async Task Evaluate_TheGeneratedResult_FailsOneAndPassesTheOtherPolicy_AsDoesItsReserialisation()
    {
        var reserialised = Reserialise(Valid.Value);

        (await RunAsync(Valid.Value, FailingPolicy, "valid")).ExitCode.ShouldBe(ExitCodes.PolicyFail);
        (await RunAsync(Valid.Value, PassingPolicy, "valid")).ExitCode.ShouldBe(0);
        (await RunAsync(reserialised, FailingPolicy, "valid, re-serialised")).ExitCode.ShouldBe(ExitCodes.PolicyFail);
        (await RunAsync(reserialised, PassingPolicy, "valid, re-serialised")).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Evaluate_ResultTruncatedAtEvery200thOfItsLength_Exits2()
    {
        var valid = Valid.Value;
        var judged = new List<string>();
        for (var part = 0; part < 200; part++)
        {
            var length = (int)((long)valid.Length * part / 200);
            var run = await RunAsync(valid[..length], PassingPolicy, $"truncated to {length} of {valid.Length} bytes");
            if (run.ExitCode != ExitCodes.Usage)
            {
                judged.Add($"{length} bytes: exit {run.ExitCode}");
            }
        }

        judged.ShouldBeEmpty();
    }

    [Fact]
    public async Task Evaluate_RandomByteMutations_NeverExit70OrHang_AndWhatIsJudgedIsStrictJsonJudgedAlikeReserialised()
    {
        var accepted = 0;
        for (var seed = 1; seed <= 150; seed++)
        {
            var random = new Random(seed);
            var mutated = Valid.Value;
            for (var count = 1 + random.Next(3); count > 0; count--)
            {
                mutated = MutateBytes(mutated, random);
            }

            accepted += await CheckMutationAsync(mutated, seed % 2 == 0 ? FailingPolicy : PassingPolicy, $"byte mutation seed {seed}") ? 1 : 0;
        }

        // Single byte changes inside texts keep a result valid: some cases must reach the verdict comparison.
        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted} of 150 byte mutations judged");
        accepted.ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Evaluate_RandomTokenMutations_NeverExit70OrHang_AndWhatIsJudgedIsStrictJsonJudgedAlikeReserialised()
    {
        var accepted = 0;
        for (var seed = 1; seed <= 150; seed++)
        {
            var random = new Random(1_000 + seed);
            var tokens = ValidTokens.Value;
            for (var count = 1 + random.Next(3); count > 0; count--)
            {
                tokens = MutateTokens(tokens, random);
            }

            var mutated = Encoding.UTF8.GetBytes(string.Concat(tokens.Select(t => t.Text)));
            accepted += await CheckMutationAsync(mutated, seed % 2 == 0 ? FailingPolicy : PassingPolicy, $"token mutation seed {seed}") ? 1 : 0;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{accepted} of 150 token mutations judged");
        accepted.ShouldBeGreaterThan(0);
    }

    // True when ScanGate judged the mutated result (and then it held to the strict parser and the re-serialisation).
    private static async Task<bool> CheckMutationAsync(byte[] mutated, string[] policy, string name)
    {
        var run = await RunAsync(mutated, policy, name);
        run.ExitCode.ShouldNotBe(ExitCodes.InternalError, $"{name}: {run.Error}");
        run.ExitCode.ShouldBeOneOf([0, ExitCodes.PolicyFail, ExitCodes.Usage, ExitCodes.NoResult], $"{name}: {run.Error}");
        if (run.ExitCode is not (0 or ExitCodes.PolicyFail))
        {
            return false;
        }

        byte[] reserialised;
        try
        {
            reserialised = Reserialise(mutated);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ShouldAssertException($"{name}: ScanGate judged it (exit {run.ExitCode}), but it is not strict JSON: {e.Message}", e);
        }

        var again = await RunAsync(reserialised, policy, name + ", re-serialised");
        again.ExitCode.ShouldBe(run.ExitCode, name);
        again.Verdict.ShouldBe(run.Verdict, name);
        again.Result.ShouldBe(run.Result, name);
        return true;
    }

    private sealed record Run(int ExitCode, string? Verdict, string? Result, string Error);

    private static async Task<Run> RunAsync(byte[] input, string[] policy, string name)
    {
        var host = new CliTestHost();
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(host.WorkingDirectory, FileName), input, TestContext.Current.CancellationToken);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            bound.CancelAfter(CaseBound);
            int exitCode;
            try
            {
                exitCode = await ScanGateCli.RunAsync(["evaluate", FileName, .. policy, "--report", "json,html,junit,sarif,markdown"], host.CreateContext(), bound.Token)
                    .WaitAsync(bound.Token);
            }
            catch (OperationCanceledException e) when (bound.IsCancellationRequested && !TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                throw new ShouldAssertException($"{name}: evaluate did not end within {CaseBound.TotalSeconds} s (a hang)", e);
            }

            var resultPath = Path.Combine(host.WorkingDirectory, "scangate-out", "scangate-result.json");
            string? result = null;
            string? verdict = null;
            if (exitCode is 0 or ExitCodes.PolicyFail)
            {
                result = await File.ReadAllTextAsync(resultPath, TestContext.Current.CancellationToken);
                using var document = JsonDocument.Parse(result);
                verdict = document.RootElement.GetProperty("verdict").GetString();
            }

            return new Run(exitCode, verdict, result, host.Error.ToString());
        }
        finally
        {
            Directory.Delete(host.WorkingDirectory, recursive: true);
        }
    }

    // The strict parser (JsonDocument, default options: no comments, no trailing commas, depth 64), every text decoded,
    // and the document written again with Utf8JsonWriter (compact, its own escaping).
    private static byte[] Reserialise(byte[] input)
    {
        using var document = JsonDocument.Parse(input);
        DecodeAllTexts(document.RootElement);
        using var output = new MemoryStream();
        using (var writer = new Utf8JsonWriter(output))
        {
            document.RootElement.WriteTo(writer);
        }

        return output.ToArray();
    }

    private static void DecodeAllTexts(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                element.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    DecodeAllTexts(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    DecodeAllTexts(property.Value);
                }

                break;
        }
    }

    private static readonly byte[] InterestingBytes = [.. "\"\\,:{}[] \n0123456789-.eEnulltrue"u8, 0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xFF];

    private static byte[] MutateBytes(byte[] input, Random random)
    {
        var at = random.Next(input.Length);
        var value = random.Next(2) == 0 ? (byte)random.Next(256) : InterestingBytes[random.Next(InterestingBytes.Length)];
        return random.Next(5) switch
        {
            0 => [.. input[..at], .. input[(at + 1)..]],
            1 => [.. input[..at], value, .. input[at..]],
            2 => [.. input[..at], .. input[at..Math.Min(input.Length, at + 1 + random.Next(64))], .. input[at..]],
            _ => [.. input[..at], value, .. input[(at + 1)..]],
        };
    }

    /// <summary>A JSON token of the generated result, or the whitespace between tokens.</summary>
    private sealed record Token(string Text, char Kind);

    private static readonly string[] InterestingStrings =
    [
        "\"5\"", "\"1\"", "\"4\"", "\"Ig\"", "\"Vuln\"", "\"Practice\"", "\"\"", "\"\\ud800\"", "\"qid\"", "\"severity\"", "\"type\"",
        "\"reference\"", "\"CVE-2021-44228\"", "\"9.8 (CVSS:3.1)\"", "\"\\u0000\"", "\"x\\\"y\"",
    ];

    private static readonly string[] InterestingValues = ["null", "true", "0", "-1", "38170", "1e3", "99999999999999999999", "{}", "[]", "{\"a\":[1]}"];

    private static List<Token> MutateTokens(List<Token> tokens, Random random)
    {
        var result = tokens.ToList();
        var indexes = Enumerable.Range(0, result.Count).Where(i => result[i].Kind != ' ').ToList();
        var at = indexes[random.Next(indexes.Count)];
        var other = result[indexes[random.Next(indexes.Count)]];
        switch (random.Next(8))
        {
            case 0:
                result.RemoveAt(at);
                break;
            case 1:
                result.Insert(at, result[at]);
                break;
            case 2:
                result[at] = other;
                break;
            case 3:
                var swap = indexes[random.Next(indexes.Count)];
                (result[at], result[swap]) = (result[swap], result[at]);
                break;
            case 4:
                result[at] = new Token(InterestingStrings[random.Next(InterestingStrings.Length)], '"');
                break;
            case 5:
                result[at] = new Token(InterestingValues[random.Next(InterestingValues.Length)], '0');
                break;
            default:
                // A whole member ("key": value) copied after itself or removed: duplicate keys and missing keys.
                if (MemberAt(result, at) is { } member)
                {
                    var copy = result.GetRange(member.Start, member.Length);
                    if (random.Next(2) == 0)
                    {
                        result.InsertRange(member.Start + member.Length, [new Token(",", ','), .. copy]);
                    }
                    else
                    {
                        var comma = member.Start > 0 && string.Equals(result[member.Start - 1].Text, ",", StringComparison.Ordinal) ? 1 : 0;
                        result.RemoveRange(member.Start - comma, member.Length + comma);
                    }
                }

                break;
        }

        return result;
    }

    // The member (property name, ':', scalar value) that the token at index belongs to, if it is one.
    private static (int Start, int Length)? MemberAt(List<Token> tokens, int index)
    {
        for (var start = Math.Max(0, index - 2); start <= index; start++)
        {
            if (start + 2 < tokens.Count && tokens[start].Kind == '"' && string.Equals(tokens[start + 1].Text, ":", StringComparison.Ordinal) && tokens[start + 2].Kind is '"' or '0')
            {
                return (start, 3);
            }
        }

        return null;
    }

    private static List<Token> Tokenize(byte[] json)
    {
        var text = Encoding.UTF8.GetString(json);
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            var c = text[i];
            char kind;
            if (c == '"')
            {
                for (i++; text[i] != '"'; i++)
                {
                    if (text[i] == '\\')
                    {
                        i++;
                    }
                }

                i++;
                kind = '"';
            }
            else if (char.IsWhiteSpace(c))
            {
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    i++;
                }

                kind = ' ';
            }
            else if ("{}[],:".Contains(c, StringComparison.Ordinal))
            {
                i++;
                kind = c;
            }
            else
            {
                while (i < text.Length && !"{}[],:\" \n".Contains(text[i], StringComparison.Ordinal))
                {
                    i++;
                }

                kind = '0';
            }

            tokens.Add(new Token(text[start..i], kind));
        }

        return tokens;
    }

    // A json_extended result as Qualys writes it, one element per line: header, summary, rows, appendix.
    private static byte[] GenerateResult(int rows, int seed)
    {
        var random = new Random(seed);
        string[] words = ["Apache", "OpenSSL", "Log4j", "café", "ümlaut", "<script>alert(1)</script>", "quote \"q\"", "C:\\Windows", "tab\tnew\nline", "😀", "x & y"];
        string Text(int count) => string.Join(' ', Enumerable.Range(0, count).Select(_ => words[random.Next(words.Length)]));

        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var elements = new List<string>
        {
            "{\"scan_report_template_title\":\"Scan Results\",\"result_date\":\"11/28/2026 10:00:00\",\"company\":\"X\",\"username\":\"u\"}",
            "{\"launch_date\":\"11/28/2026 10:00:00\",\"active_hosts\":\"5\",\"total_hosts\":\"5\",\"type\":\"API\",\"status\":\"Finished\"," +
            "\"reference\":\"scan/1764324000.12345\",\"scan_title\":\"fuzz\",\"ips\":\"10.0.0.1-10.0.0.5\",\"duration\":\"00:06:20\"}",
        };
        for (var row = 0; row < rows; row++)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, options))
            {
                var type = random.Next(10) switch { < 4 => "Ig", < 8 => "Vuln", _ => "Practice" };
                var severity = string.Equals(type, "Ig", StringComparison.Ordinal) ? 1 + random.Next(5) : 1 + random.Next(4);
                w.WriteStartObject();
                w.WriteString("ip", string.Create(CultureInfo.InvariantCulture, $"10.0.0.{1 + random.Next(5)}"));
                w.WriteString("dns", "host.example");
                w.WriteNull("netbios");
                w.WriteString("os", "Linux 5.4");
                w.WriteString("ip_status", "host scanned, found vuln");
                w.WriteNumber("qid", 10_000 + random.Next(300_000));
                w.WriteString("title", Text(2 + random.Next(4)));
                w.WriteString("type", type);
                w.WriteString("severity", severity.ToString(CultureInfo.InvariantCulture));
                w.WriteString("port", random.Next(3) == 0 ? string.Empty : (20 + random.Next(9000)).ToString(CultureInfo.InvariantCulture));
                w.WriteString("protocol", "tcp");
                w.WriteString("fqdn", string.Empty);
                w.WriteString("ssl", "no");
                if (random.Next(3) == 0)
                {
                    w.WriteString("cve_id", string.Create(CultureInfo.InvariantCulture, $"CVE-2021-{40000 + random.Next(9000)}, CVE-2022-{1000 + random.Next(9000)}"));
                }
                else
                {
                    w.WriteNull("cve_id");
                }

                w.WriteNull("vendor_reference");
                w.WriteNull("bugtraq_id");
                w.WriteString("cvss_base", "5.0 (AV:N/AC:L/Au:N/C:N/I:N/A:P)");
                w.WriteNull("cvss_temporal");
                w.WriteString("cvss3_base", string.Create(CultureInfo.InvariantCulture, $"{random.Next(10)}.{random.Next(10)} (CVSS:3.1/AV:N)"));
                w.WriteNull("cvss3_temporal");
                w.WriteString("threat", Text(6));
                w.WriteString("impact", Text(4));
                w.WriteString("solution", Text(5));
                w.WriteNull("exploitability");
                w.WriteNull("associated_malware");
                w.WriteString("results", Text(3));
                w.WriteString("pci_vuln", random.Next(4) == 0 ? "yes" : "no");
                w.WriteNull("instance");
                w.WriteString("category", "General remote services");
                w.WriteEndObject();
            }

            elements.Add(Encoding.UTF8.GetString(buffer.ToArray()));
        }

        elements.Add("{\"target_distribution_across_scanner_appliances\":\"External : 10.0.0.1-10.0.0.5\"}");
        return Encoding.UTF8.GetBytes("[" + string.Join(",\n", elements) + "]\n");
    }
}
