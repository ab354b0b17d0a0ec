using System.Globalization;
using System.Runtime.CompilerServices;

namespace ScanGate.Qualys;

/// <summary>The KnowledgeBase (<c>/api/2.0/fo/knowledge_base/vuln/</c>), page by page.</summary>
public sealed class KnowledgeBaseClient
{
    internal const string KbPath = "api/2.0/fo/knowledge_base/vuln/";

    private readonly QualysConnection _connection;

    internal KnowledgeBaseClient(QualysConnection connection) => _connection = connection;

    /// <summary>KnowledgeBase vulnerabilities, following the 1980 truncation URLs.</summary>
    public async IAsyncEnumerable<KbVulnerability> ListAsync(KbQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var form = new List<KeyValuePair<string, string>> { new("action", "list"), new("details", query.Details) };
        if (query.Ids.Count > 0)
        {
            form.Add(new("ids", string.Join(',', query.Ids)));
        }

        if (query.LastModifiedAfter is { } after)
        {
            form.Add(new("last_modified_after", after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        var call = new QualysRequest("knowledge base list", HttpMethod.Post, _connection.Api(KbPath), CallKind.Idempotent) { Form = form };
        await foreach (var (page, response) in _connection.PagesAsync(call, "KNOWLEDGE_BASE_VULN_LIST_OUTPUT", cancellationToken).ConfigureAwait(false))
        {
            foreach (var v in response?.Element("VULN_LIST")?.Elements("VULN") ?? [])
            {
                yield return new KbVulnerability
                {
                    Qid = v.Long("QID") ?? throw new QualysResponseFormatException(page.Operation, "a VULN has no numeric QID"),
                    VulnType = v.Text("VULN_TYPE"),
                    Severity = v.Int("SEVERITY_LEVEL"),
                    Title = v.Text("TITLE"),
                    Category = v.Text("CATEGORY"),
                    PciFlag = v.Flag("PCI_FLAG"),
                    Patchable = v.Flag("PATCHABLE"),
                    CveIds = [.. v.Element("CVE_LIST")?.Elements("CVE").Select(c => c.Text("ID") ?? string.Empty).Where(s => s.Length > 0) ?? []],
                    CvssBase = v.TextAt("CVSS", "BASE"),
                    Cvss3Base = v.TextAt("CVSS_V3", "BASE"),
                    Published = v.Date("PUBLISHED_DATETIME"),
                };
            }

        }
    }
}
