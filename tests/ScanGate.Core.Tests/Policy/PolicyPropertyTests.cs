using System.Globalization;
using CsCheck;
using ScanGate.Policy;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Policy;

/// <summary>Properties of the verdict over random results and policies (CsCheck, with shrinking).</summary>
public sealed class PolicyPropertyTests
{
    private static readonly string[] CvePool = ["CVE-2021-44228", "cve-2021-45046", "CVE-2020-0001", "CVE-2019-1234", "CVE-2018-2771"];
    private static readonly string[] Types = ["Vuln", "Practice", "Ig", "vuln", "PRACTICE"];

    private static readonly Gen<string?> GenCvss =
        from kind in Gen.Int[0, 4]
        from tenths in Gen.Int[0, 100]
        select kind switch
        {
            0 => null,
            1 => "-",
            2 => ((tenths / 10.0).ToString("0.0", CultureInfo.InvariantCulture)),
            3 => (tenths / 10.0).ToString("0.0", CultureInfo.InvariantCulture) + " (AV:N/AC:L/Au:N/C:P/I:P/A:P)",
            _ => "N/A",
        };

    private static readonly Gen<Detection> GenRow =
        from typeIndex in Gen.Int[0, Types.Length - 1]
        from severity in Gen.Int[1, 5]
        from qid in Gen.Int[1, 30]
        from cves in Gen.Int[0, CvePool.Length - 1].Array[0, 3]
        from cvss2 in GenCvss
        from cvss3 in GenCvss
        from pci in Gen.Bool
        from host in Gen.Int[1, 3]
        select new Detection
        {
            Type = Types[typeIndex],
            Severity = severity.ToString(CultureInfo.InvariantCulture),
            Qid = qid,
            CveId = cves.Length == 0 ? null : string.Join(", ", cves.Select(i => CvePool[i])),
            CvssBase = cvss2,
            Cvss3Base = cvss3,
            PciVuln = pci ? "yes" : "no",
            Ip = "10.0.0." + host.ToString(CultureInfo.InvariantCulture),
        };

    private static readonly Gen<QidList?> GenQids =
        from use in Gen.Int[0, 2].Select(i => i == 0)
        from entries in Gen.Select(Gen.Int[1, 30], Gen.Int[0, 5]).Array[1, 3]
        select use ? QidList.FromEntries(entries.Select(e => e.Item2 == 0 ? $"{e.Item1}" : $"{e.Item1} - {e.Item1 + e.Item2}"), "q") : null;

    private static readonly Gen<CveList?> GenCves =
        from use in Gen.Int[0, 2].Select(i => i == 0)
        from picks in Gen.Int[0, CvePool.Length - 1].Array[1, 3]
        select use ? CveList.FromEntries(picks.Select(i => CvePool[i].ToLowerInvariant()), "c") : null;

    private static readonly Gen<double?> GenThreshold =
        from use in Gen.Int[0, 2]
        from tenths in Gen.Int[1, 100]
        select use == 0 ? (double?)(tenths / 10.0) : null;

    private static readonly Gen<RuleSet> GenRules =
        from severity in Gen.Int[0, 12]
        from qids in GenQids
        from cves in GenCves
        from cvss2 in GenThreshold
        from cvss3 in GenThreshold
        from pci in Gen.Int[0, 3]
        select new RuleSet
        {
            Severity = severity is 0 or > 5 ? null : severity, Qids = qids, Cves = cves, Cvss2 = cvss2, Cvss3 = cvss3, Pci = pci == 0,
        };

    private static readonly Gen<EffectivePolicy> GenPolicy =
        from rules in GenRules
        from potential in Gen.Bool
        from excludeQids in GenQids
        from excludeCves in GenCves
        select new EffectivePolicy { FailOn = rules, IncludePotential = potential, ExcludeQids = excludeQids, ExcludeCves = excludeCves };

    private static Verdict VerdictOf(EffectivePolicy policy, IEnumerable<Detection> rows)
    {
        var evaluator = new PolicyEvaluator(policy, new DateOnly(2026, 11, 28));
        foreach (var row in rows)
        {
            evaluator.Evaluate(row);
        }

        return evaluator.Complete().Verdict;
    }

    [Fact]
    public void Verdict_EqualsAPlainReferenceImplementationOfSection6()
    {
        Gen.Select(GenPolicy, GenRow.Array[0, 12]).Sample((policy, rows) =>
            VerdictOf(policy, rows).ShouldBe(ReferenceFails(policy, rows) ? Verdict.Fail : Verdict.Pass), iter: 2000);
    }

    [Fact]
    public void AddingAFailCriterion_NeverTurnsFailIntoPass()
    {
        Gen.Select(GenPolicy, GenRules, GenRow.Array[0, 12]).Sample((policy, extra, rows) =>
        {
            var f = policy.FailOn;
            var stricter = policy with
            {
                FailOn = new RuleSet
                {
                    Severity = f.Severity ?? extra.Severity, Qids = f.Qids ?? extra.Qids, Cves = f.Cves ?? extra.Cves,
                    Cvss2 = f.Cvss2 ?? extra.Cvss2, Cvss3 = f.Cvss3 ?? extra.Cvss3, Pci = f.Pci || extra.Pci,
                },
            };
            if (VerdictOf(policy, rows) == Verdict.Fail)
            {
                VerdictOf(stricter, rows).ShouldBe(Verdict.Fail);
            }
        }, iter: 1000);
    }

    [Fact]
    public void AddingAnExclusion_NeverTurnsPassIntoFail()
    {
        Gen.Select(GenRules, Gen.Bool, GenQids, GenCves, GenRow.Array[0, 12]).Sample((rules, potential, excludeQids, excludeCves, rows) =>
        {
            var policy = new EffectivePolicy { FailOn = rules, IncludePotential = potential };
            var excluding = policy with { ExcludeQids = excludeQids, ExcludeCves = excludeCves };
            if (VerdictOf(policy, rows) == Verdict.Pass)
            {
                VerdictOf(excluding, rows).ShouldBe(Verdict.Pass);
            }
        }, iter: 1000);
    }

    [Fact]
    public void RowOrder_NeverChangesTheVerdictOrTheWorstFindings()
    {
        Gen.Select(GenPolicy, GenRow.Array[0, 12], Gen.Int).Sample((policy, rows, seed) =>
        {
            var shuffled = rows.ToArray();
            new Random(seed).Shuffle(shuffled);
            var (verdict, worst) = Summarize(policy, rows);
            var (shuffledVerdict, shuffledWorst) = Summarize(policy, shuffled);
            shuffledVerdict.ShouldBe(verdict);
            shuffledWorst.ShouldBe(worst);
        }, iter: 1000);
    }

    private static (Verdict Verdict, string Worst) Summarize(EffectivePolicy policy, IEnumerable<Detection> rows)
    {
        var evaluator = new PolicyEvaluator(policy, new DateOnly(2026, 11, 28));
        foreach (var row in rows)
        {
            evaluator.Evaluate(row);
        }

        var summary = evaluator.Complete();
        return (summary.Verdict, string.Join(";", summary.WorstFindings.Select(w => $"{w.Qid}/{w.Host}/{w.Severity}/{w.Cvss3}")));
    }

    // The spec of record, written plainly: filter by type, drop exclusions, then any matching row fails the build.
    private static bool ReferenceFails(EffectivePolicy p, IEnumerable<Detection> rows)
    {
        var r = p.FailOn;
        foreach (var row in rows)
        {
            var type = row.Type!.Trim().ToLowerInvariant();
            if (string.Equals(type, "ig", StringComparison.Ordinal) || (string.Equals(type, "practice", StringComparison.Ordinal) && !p.IncludePotential))
            {
                continue;
            }

            var cves = (row.CveId ?? string.Empty).Split(',').Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
            if (p.ExcludeQids is not null && InList(p.ExcludeQids.Text, row.Qid))
            {
                continue;
            }

            if (p.ExcludeCves is not null && cves.Count > 0 && cves.All(c => InCves(p.ExcludeCves.Text, c)))
            {
                continue;
            }

            var severity = int.Parse(row.Severity!, CultureInfo.InvariantCulture);
            if ((r.Severity is { } s && severity >= s) ||
                (r.Qids is not null && InList(r.Qids.Text, row.Qid)) ||
                (r.Cves is not null && cves.Exists(c => InCves(r.Cves.Text, c))) ||
                (r.Cvss2 is { } t2 && Score(row.CvssBase) >= t2) ||
                (r.Cvss3 is { } t3 && Score(row.Cvss3Base) >= t3) ||
                (r.Pci && string.Equals(row.PciVuln, "yes", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InList(string text, long qid) => text.Split(',').Any(entry =>
    {
        var parts = entry.Split('-');
        var low = long.Parse(parts[0], CultureInfo.InvariantCulture);
        var high = parts.Length == 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : low;
        return qid >= low && qid <= high;
    });

    private static bool InCves(string text, string cve) => text.Split(',').Contains(cve.ToUpperInvariant());

    private static double Score(string? raw) =>
        raw is null or "-" or "N/A" or "" ? double.NaN : double.Parse(raw.Split(' ')[0], CultureInfo.InvariantCulture);
}
