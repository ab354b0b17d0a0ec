using System.Text;
using System.Text.Json;
using ScanGate.Policy;

namespace ScanGate.Core.Tests.Policy;

/// <summary>
/// The findings spool writes scangate-result.json in three ways: small results from memory, large ones streamed behind
/// a head slot, and a head too large for its slot by copying. Each must give the same JSON document.
/// </summary>
public sealed class FindingsSpoolTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-spool-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(1 << 20, 4096, "in memory")]
    [InlineData(512, 4096, "streamed behind the head slot")]
    [InlineData(512, 40, "head larger than its slot, copied")]
    public async Task CompleteAsync_WritesTheHead_EveryFinding_InOrder_AsOneJsonDocument(int inMemoryLimit, int headSlotSize, string mode)
    {
        var path = Path.Combine(_directory, "scangate-result.json.partial");
        var evaluator = new PolicyEvaluator(new EffectivePolicy { FailOn = new RuleSet { Severity = 4 } }, new DateOnly(2026, 11, 28));
        using (var spool = new FindingsSpool(path, inMemoryLimit, headSlotSize))
        {
            for (var qid = 1; qid <= 40; qid++)
            {
                spool.Write(evaluator.Evaluate(Rows.Vuln(severity: 1 + (qid % 5), qid: qid, title: $"Finding \"{qid}\" <b>")));
            }

            spool.IsStreaming.ShouldBe(inMemoryLimit < 1 << 20, mode);
            var head = "{\n  \"verdict\": \"fail\",\n  \"note\": \"" + new string('h', 60) + "\",\n  \"findings\": [";
            await spool.CompleteAsync(Encoding.UTF8.GetBytes(head), TestContext.Current.CancellationToken);
        }

        var text = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        text.ShouldStartWith("{\n  \"verdict\": \"fail\"", customMessage: mode);
        using var document = JsonDocument.Parse(text);
        document.RootElement.GetProperty("verdict").GetString().ShouldBe("fail");
        var findings = document.RootElement.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => f.GetProperty("qid").GetInt64()).ShouldBe(Enumerable.Range(1, 40).Select(i => (long)i));
        findings[6].GetProperty("title").GetString().ShouldBe("Finding \"7\" <b>");
        findings[6].GetProperty("results").GetString().ShouldBe("result text");
        Directory.GetFiles(_directory).Select(Path.GetFileName).ShouldBe(["scangate-result.json.partial"], mode);
    }

    [Fact]
    public void Dispose_WithoutComplete_DeletesTheUnfinishedFile()
    {
        var path = Path.Combine(_directory, "scangate-result.json.partial");
        var evaluator = new PolicyEvaluator(new EffectivePolicy(), new DateOnly(2026, 11, 28));
        using (var spool = new FindingsSpool(path, inMemoryLimit: 256))
        {
            for (var qid = 1; qid <= 10; qid++)
            {
                spool.Write(evaluator.Evaluate(Rows.Vuln(qid: qid)));
            }

            File.Exists(path).ShouldBeTrue();
        }

        File.Exists(path).ShouldBeFalse();
    }
}
