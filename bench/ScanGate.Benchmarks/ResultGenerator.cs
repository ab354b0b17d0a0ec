using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ScanGate.Benchmarks;

/// <summary>
/// Writes a deterministic, realistic Qualys json_extended result: header, summary, detections spread over hosts with
/// Qualys-like text sizes and value shapes (CVSS "7.5 (AV:…)", bare, "-", null; CVE lists; Vuln/Practice/Ig mix), then
/// the appendix. One element per line, like Qualys. Same seed and options ⇒ byte-identical output.
/// </summary>
public sealed class ResultGenerator
{
    private static readonly string[] Words =
    [
        "remote", "attacker", "server", "version", "vulnerability", "allows", "execute", "arbitrary", "code", "service", "denial",
        "buffer", "overflow", "kernel", "package", "update", "patch", "apply", "vendor", "advisory", "openssl", "certificate",
        "TLS", "cipher", "authentication", "bypass", "<script>", "\"quoted\"", "path", "C:\\Windows", "ümlaut", "privilege",
    ];

    private static readonly string[] Categories = ["General remote services", "Web server", "Local", "Debian", "CGI", "TCP/IP", "Windows"];

    public int Seed { get; init; } = 42;

    public int Detections { get; init; } = 10_000;

    public int Hosts { get; init; }

    /// <summary>Average characters of the long text columns (threat, impact, solution, results) per row.</summary>
    public int TextSize { get; init; } = 160;

    public void Write(Stream destination)
    {
        var random = new Random(Seed);
        var hosts = Hosts > 0 ? Hosts : Math.Max(1, Detections / 1000);
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
        using var json = new Utf8JsonWriter(buffer, options);

        void Line(Action<Utf8JsonWriter> write, bool last = false)
        {
            write(json);
            json.Flush();
            json.Reset(buffer);
            buffer.Write(last ? "]\n"u8 : ",\n"u8);
            if (buffer.WrittenCount > 1 << 19)
            {
                destination.Write(buffer.WrittenSpan);
                buffer.ResetWrittenCount();
            }
        }

        buffer.Write("["u8);
        Line(w =>
        {
            w.WriteStartObject();
            w.WriteString("scan_report_template_title", "Scan Results");
            w.WriteString("result_date", "11/28/2026 10:00:00");
            w.WriteString("company", "Bench Corp");
            w.WriteString("username", "bench_user");
            w.WriteString("role", "Manager");
            w.WriteEndObject();
        });
        Line(w =>
        {
            w.WriteStartObject();
            w.WriteString("launch_date", "11/28/2026 09:00:00");
            w.WriteString("active_hosts", hosts.ToString(CultureInfo.InvariantCulture));
            w.WriteString("total_hosts", hosts.ToString(CultureInfo.InvariantCulture));
            w.WriteString("type", "API");
            w.WriteString("status", "Finished");
            w.WriteString("reference", "scan/1764324000.12345");
            w.WriteString("scanner_appliance", "External");
            w.WriteString("duration", "01:02:03");
            w.WriteString("scan_title", "bench_scan");
            w.WriteNull("asset_groups");
            w.WriteString("ips", $"10.0.0.1-10.0.{hosts / 250}.{(hosts % 250) + 1}");
            w.WriteString("excluded_ips", string.Empty);
            w.WriteString("option_profile", "Initial Options");
            w.WriteString("network", "Global Default Network");
            w.WriteEndObject();
        });

        for (var i = 0; i < Detections; i++)
        {
            var host = i * hosts / Math.Max(1, Detections);
            Line(w => WriteDetection(w, random, host));
        }

        Line(w =>
        {
            w.WriteStartObject();
            w.WriteString("target_distribution_across_scanner_appliances", "External : 10.0.0.1");
            w.WriteEndObject();
        }, last: true);
        destination.Write(buffer.WrittenSpan);
        destination.Flush();
    }

    private void WriteDetection(Utf8JsonWriter w, Random random, int host)
    {
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.{host / 62500 % 256}.{host / 250 % 250}.{(host % 250) + 1}");
        var roll = random.Next(100);
        var type = roll < 45 ? "Ig" : roll < 85 ? "Vuln" : "Practice";
        var severity = type == "Ig" ? 1 + random.Next(3) : 1 + WeightedSeverity(random);
        var qid = 10_000 + random.Next(370_000);
        w.WriteStartObject();
        w.WriteString("ip", ip);
        w.WriteString("dns", string.Create(CultureInfo.InvariantCulture, $"host{host}.bench.example"));
        w.WriteNull("netbios");
        w.WriteString("os", random.Next(2) == 0 ? "Linux 5.4" : "Windows Server 2019");
        w.WriteString("ip_status", "host scanned, found vuln");
        w.WriteNumber("qid", qid);
        w.WriteString("title", Sentence(random, 3 + random.Next(8)));
        w.WriteString("type", type);
        w.WriteString("severity", severity.ToString(CultureInfo.InvariantCulture));
        w.WriteString("port", random.Next(3) == 0 ? string.Empty : (20 + random.Next(9000)).ToString(CultureInfo.InvariantCulture));
        w.WriteString("protocol", random.Next(5) == 0 ? "udp" : "tcp");
        w.WriteString("fqdn", string.Empty);
        w.WriteString("ssl", random.Next(4) == 0 ? "yes" : "no");
        if (type != "Ig" && random.Next(10) < 5)
        {
            var count = 1 + random.Next(random.Next(10) == 0 ? 12 : 3);
            w.WriteString("cve_id", string.Join(", ", Enumerable.Range(0, count).Select(_ =>
                string.Create(CultureInfo.InvariantCulture, $"CVE-{2015 + random.Next(12)}-{1000 + random.Next(60000)}"))));
        }
        else
        {
            w.WriteNull("cve_id");
        }

        w.WriteNull("vendor_reference");
        w.WriteNull("bugtraq_id");
        WriteCvss(w, random, "cvss_base", "cvss_temporal", "AV:N/AC:L/Au:N/C:P/I:P/A:P", type);
        WriteCvss(w, random, "cvss3_base", "cvss3_temporal", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", type);
        w.WriteString("threat", Sentence(random, TextWords(random)));
        w.WriteString("impact", Sentence(random, TextWords(random) / 2));
        w.WriteString("solution", Sentence(random, TextWords(random)));
        if (type == "Ig" || random.Next(20) != 0)
        {
            w.WriteNull("exploitability");
        }
        else
        {
            w.WriteString("exploitability", "Metasploit: exploit/multi/http/bench");
        }

        w.WriteNull("associated_malware");
        w.WriteString("results", Sentence(random, TextWords(random)).Replace(" code ", "\tcode\n", StringComparison.Ordinal));
        w.WriteString("pci_vuln", type != "Ig" && severity >= 3 && random.Next(2) == 0 ? "yes" : "no");
        w.WriteNull("instance");
        w.WriteString("category", Categories[random.Next(Categories.Length)]);
        w.WriteEndObject();
    }

    private static int WeightedSeverity(Random random)
    {
        var roll = random.Next(100);
        return roll < 15 ? 0 : roll < 45 ? 1 : roll < 80 ? 2 : roll < 95 ? 3 : 4;
    }

    private static void WriteCvss(Utf8JsonWriter w, Random random, string baseKey, string temporalKey, string vector, string type)
    {
        var roll = random.Next(10);
        if (type == "Ig" || roll == 0)
        {
            w.WriteNull(baseKey);
            w.WriteNull(temporalKey);
            return;
        }

        var score = (random.Next(1, 101) / 10.0).ToString("0.0", CultureInfo.InvariantCulture);
        w.WriteString(baseKey, roll switch { 1 => "-", 2 => score, _ => $"{score} ({vector})" });
        w.WriteString(temporalKey, score);
    }

    private int TextWords(Random random) => Math.Max(1, (TextSize / 7) + random.Next(-(TextSize / 14), (TextSize / 14) + 1));

    private static string Sentence(Random random, int words) =>
        string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));
}
