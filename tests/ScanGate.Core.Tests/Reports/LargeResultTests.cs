using System.Diagnostics;
using System.Text.Json;
using System.Xml;

namespace ScanGate.Reports.Tests;

/// <summary>50,000 findings: every format renders completely, and the reader's buffer stays small (streaming).</summary>
public sealed class LargeResultTests
{
    private const int Count = 50_000;

    [Fact]
    public async Task Render_FiftyThousandFindings_AllFormatsCompleteWithBoundedBuffer()
    {
        var dir = ReportTestFiles.TempDir();
        var path = Path.Combine(dir, "big-result.json");
        ResultFixtures.WriteLarge(path, Count);

        using (var reader = await ResultFileReader.OpenAsync(path, TestContext.Current.CancellationToken))
        {
            var n = reader.ReadFindings(TestContext.Current.CancellationToken).LongCount();
            n.ShouldBe(Count);
            reader.BufferSize.ShouldBeLessThanOrEqualTo(256 * 1024, "the reader must not buffer the whole file");
        }

        var watch = Stopwatch.StartNew();
        var result = await ReportRenderer.RenderAsync(path, ReportFormats.Parse("html,junit,sarif,markdown"), Path.Combine(dir, "out"), new ReportOptions(), TestContext.Current.CancellationToken);
        watch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine($"Rendered {Count} findings in {watch.ElapsedMilliseconds} ms; input {new FileInfo(path).Length / 1024} KiB; "
            + string.Join(", ", result.Files.Select(f => $"{f.Format} {new FileInfo(f.Path).Length / 1024} KiB")));

        // HTML: the data block holds every finding.
        var html = await File.ReadAllTextAsync(result.Files.Single(f => f.Format == ReportFormat.Html).Path, TestContext.Current.CancellationToken);
        var start = html.IndexOf("<script type=\"application/json\" id=\"scangate-findings\">", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        start = html.IndexOf('>', start) + 1;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        using (var data = JsonDocument.Parse(html.AsMemory(start, end - start)))
        {
            data.RootElement.GetArrayLength().ShouldBe(Count);
        }

        // JUnit: a test case per finding (plus one per criterion), read with a streaming reader.
        var cases = 0;
        using (var xml = XmlReader.Create(result.Files.Single(f => f.Format == ReportFormat.JUnit).Path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            while (xml.Read())
            {
                if (xml.NodeType == XmlNodeType.Element && string.Equals(xml.Name, "testcase", StringComparison.Ordinal))
                {
                    cases++;
                }
            }
        }

        cases.ShouldBe(Count + 2);

        await using (var sarif = File.OpenRead(result.Files.Single(f => f.Format == ReportFormat.Sarif).Path))
        {
            using var doc = await JsonDocument.ParseAsync(sarif, cancellationToken: TestContext.Current.CancellationToken);
            doc.RootElement.GetProperty("runs")[0].GetProperty("results").GetArrayLength().ShouldBe(Count);
            doc.RootElement.GetProperty("runs")[0].GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength().ShouldBe(2500);
        }
    }
}
