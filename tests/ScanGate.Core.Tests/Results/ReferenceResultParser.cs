using System.Globalization;
using System.Text;
using System.Text.Json;
using ScanGate.Results;

namespace ScanGate.Core.Tests.Results;

/// <summary>
/// The oracle of the reader's differential tests: the whole document read at once with <see cref="Utf8JsonReader"/>
/// (which ScanResultReader used as its second element parser until it had only its own), and the rules of a complete
/// <c>json_extended</c> result written out plainly, independently of the reader's code: every string decodes (valid
/// UTF-8, no lone surrogate), no key twice in an element, a detection has a numeric qid and a non-null type and
/// severity, an element without a qid has no detection key, one header first, one scan summary, and a plugin artifact
/// has one "data" array.
/// </summary>
internal static class ReferenceResultParser
{
    public static readonly string[] DetectionKeys =
    [
        "ip", "dns", "netbios", "os", "ip_status", "title", "type", "severity", "port", "protocol", "fqdn", "ssl", "cve_id",
        "vendor_reference", "bugtraq_id", "cvss_base", "cvss_temporal", "cvss3_base", "cvss3_temporal", "threat", "impact",
        "solution", "exploitability", "associated_malware", "results", "pci_vuln", "instance", "category",
    ];

    // What EvaluationFieldsOnly reads as null: the texts the gate never uses.
    private static readonly HashSet<string> UnusedByEvaluation = new(StringComparer.Ordinal)
    {
        "threat", "impact", "vendor_reference", "cvss_temporal", "cvss3_temporal", "fqdn", "ssl", "ip_status", "instance",
    };

    private static readonly string[] SummaryKeys = ["reference", "launch_date", "scan_title"];

    /// <summary>One key and its value: a string decoded, a number or nested value as its JSON text, true/false, or null.</summary>
    public sealed record Member(string Key, string? Value, bool Nested, bool IsString);

    public sealed record Element(ScanResultElementKind Kind, long Index, long BytePosition, IReadOnlyList<Member> Members);

    /// <summary>The document is not a complete result; <see cref="ElementIndex"/> counts the elements read before.</summary>
    public sealed class Refusal : Exception
    {
        public Refusal(long elementIndex, string reason, string? field = null, Exception? inner = null)
            : base($"{reason} (element {elementIndex})", inner)
        {
            ElementIndex = elementIndex;
            Field = field;
        }

        public Refusal()
        {
        }

        public Refusal(string message)
            : base(message)
        {
        }

        public Refusal(string message, Exception innerException)
            : base(message, innerException)
        {
        }

        public long ElementIndex { get; }

        public string? Field { get; }
    }

    public static List<Element> Parse(byte[] bytes)
    {
        var offset = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var state = new State { Document = bytes, Offset = offset };
        var reader = new Utf8JsonReader(bytes.AsSpan(offset), isFinalBlock: true, default);
        try
        {
            if (!reader.Read())
            {
                throw new Refusal(0, "empty");
            }

            if (reader.TokenType == JsonTokenType.StartArray)
            {
                ReadElements(ref reader, state);
            }
            else if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadWrapper(ref reader, state);
            }
            else
            {
                throw new Refusal(0, "not an array");
            }

            if (reader.Read())
            {
                throw new Refusal(state.Elements.Count, "data after the end");
            }
        }
        catch (JsonException e)
        {
            throw new Refusal(state.Elements.Count, "not JSON: " + e.Message, inner: e);
        }
        catch (InvalidOperationException e)
        {
            throw new Refusal(state.Elements.Count, "not UTF-8 or UTF-16: " + e.Message, inner: e);
        }

        var count = state.Elements.Count;
        if (count == 0)
        {
            throw new Refusal(0, "empty array");
        }

        if (!state.Elements.Exists(e => e.Kind == ScanResultElementKind.Summary))
        {
            throw new Refusal(count, "no summary");
        }

        if (state.Elements[0].Kind != ScanResultElementKind.Header)
        {
            throw new Refusal(count, "no header");
        }

        return state.Elements;
    }

    /// <summary>
    /// An element as <see cref="ScanResultReader"/> yields it, one line, with the values EvaluationFieldsOnly reads as
    /// null projected out when <paramref name="evaluationFieldsOnly"/>.
    /// </summary>
    public static string Describe(Element element, bool evaluationFieldsOnly)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        var afterIgType = false;
        foreach (var member in element.Members)
        {
            var skipped = evaluationFieldsOnly && !member.Nested && !string.Equals(member.Key, "qid", StringComparison.Ordinal)
                && (afterIgType || UnusedByEvaluation.Contains(member.Key));
            values[member.Key] = skipped ? null : member.Value;
            if (evaluationFieldsOnly && member.IsString && string.Equals(member.Key, "type", StringComparison.Ordinal)
                && string.Equals(member.Value?.Trim(), "Ig", StringComparison.OrdinalIgnoreCase))
            {
                afterIgType = true;
            }
        }

        var head = string.Create(CultureInfo.InvariantCulture, $"{element.Kind}#{element.Index}@{element.BytePosition}:");
        if (element.Kind != ScanResultElementKind.Detection)
        {
            return head + Fields(values);
        }

        var qid = element.Members.First(m => string.Equals(m.Key, "qid", StringComparison.Ordinal)).Value!;
        return head + "qid=" + long.Parse(qid, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "|"
            + string.Join('|', DetectionKeys.Select(k => k + "=" + Quote(values.GetValueOrDefault(k))));
    }

    /// <summary>The same line for what <see cref="ScanResultReader"/> yields.</summary>
    public static string Describe(ScanResultReader reader)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"{reader.Kind}#{reader.ElementIndex}@{reader.BytePosition}:");
        if (reader.Detection is not { } d)
        {
            return head + Fields(reader.Fields);
        }

        string?[] values =
        [
            d.Ip, d.Dns, d.Netbios, d.Os, d.IpStatus, d.Title, d.Type, d.Severity, d.Port, d.Protocol, d.Fqdn, d.Ssl, d.CveId,
            d.VendorReference, d.BugtraqId, d.CvssBase, d.CvssTemporal, d.Cvss3Base, d.Cvss3Temporal, d.Threat, d.Impact,
            d.Solution, d.Exploitability, d.AssociatedMalware, d.Results, d.PciVuln, d.Instance, d.Category,
        ];
        return head + "qid=" + d.Qid.ToString(CultureInfo.InvariantCulture) + "|"
            + string.Join('|', DetectionKeys.Select((k, i) => k + "=" + Quote(values[i])));
    }

    private static string Fields(IEnumerable<KeyValuePair<string, string?>> fields) =>
        string.Join(';', fields.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Key + "=" + Quote(f.Value)));

    private static string Quote(string? value) => value is null ? "null" : JsonSerializer.Serialize(value);

    private sealed class State
    {
        public required byte[] Document { get; init; }

        public int Offset { get; init; }

        public List<Element> Elements { get; } = [];
    }

    // {"data":[...], ...}: other members are skipped (their texts still decode); a second "data" is ambiguous.
    private static void ReadWrapper(ref Utf8JsonReader reader, State state)
    {
        var sawData = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "data", StringComparison.Ordinal))
            {
                if (sawData)
                {
                    throw new Refusal(state.Elements.Count, "a second \"data\"", "data");
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new Refusal(0, "\"data\" is not an array");
                }

                ReadElements(ref reader, state);
                sawData = true;
            }
            else
            {
                ReadValue(ref reader);
            }
        }

        if (!sawData)
        {
            throw new Refusal(0, "no \"data\" array");
        }
    }

    private static void ReadElements(ref Utf8JsonReader reader, State state)
    {
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = state.Elements.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new Refusal(index, "an element is not an object");
            }

            var members = new List<Member>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                if (!names.Add(key))
                {
                    throw new Refusal(index, "duplicate key", key);
                }

                reader.Read();
                var start = state.Offset + (int)reader.TokenStartIndex;
                members.Add(reader.TokenType switch
                {
                    JsonTokenType.String => new Member(key, reader.GetString(), Nested: false, IsString: true),
                    JsonTokenType.Number => new Member(key, Encoding.UTF8.GetString(reader.ValueSpan), Nested: false, IsString: false),
                    JsonTokenType.True => new Member(key, "true", Nested: false, IsString: false),
                    JsonTokenType.False => new Member(key, "false", Nested: false, IsString: false),
                    JsonTokenType.Null => new Member(key, null, Nested: false, IsString: false),
                    _ => new Member(key, ReadNested(ref reader, state, start), Nested: true, IsString: false),
                });
            }

            state.Elements.Add(Classify(members, index, state.Offset + reader.BytesConsumed, state.Elements));
        }
    }

    // A nested value (under an unknown key in real results) is kept as its JSON text.
    private static string ReadNested(ref Utf8JsonReader reader, State state, int start)
    {
        ReadValue(ref reader);
        return Encoding.UTF8.GetString(state.Document, start, state.Offset + (int)reader.BytesConsumed - start);
    }

    // Walks a value, decoding every string and property name (GetString refuses invalid UTF-8 and lone surrogates).
    private static void ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                reader.GetString();
            }

            return;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                reader.GetString();
            }
            else if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth)
            {
                return;
            }
        }
    }

    private static Element Classify(List<Member> members, int index, long bytePosition, List<Element> before)
    {
        Member? Get(string key) => members.Find(m => string.Equals(m.Key, key, StringComparison.Ordinal));

        if (Get("qid") is { } qid)
        {
            var isNumber = qid is { IsString: false, Nested: false, Value: not null and not "true" and not "false" };
            var valid = isNumber
                ? long.TryParse(qid.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= 0
                : qid.IsString && long.TryParse(qid.Value, NumberStyles.None, CultureInfo.InvariantCulture, out _);
            if (!valid)
            {
                throw new Refusal(index, "qid is not a number", "qid");
            }

            foreach (var required in new[] { "type", "severity" })
            {
                if (Get(required) is not { Value: not null })
                {
                    throw new Refusal(index, "detection without " + required, required);
                }
            }

            return new Element(ScanResultElementKind.Detection, index, bytePosition, members);
        }

        if (SummaryKeys.FirstOrDefault(k => Get(k) is not null) is { } summaryKey)
        {
            if (before.Exists(e => e.Kind == ScanResultElementKind.Summary))
            {
                throw new Refusal(index, "a second summary", summaryKey);
            }

            return new Element(ScanResultElementKind.Summary, index, bytePosition, members);
        }

        if (members.Exists(m => Array.IndexOf(DetectionKeys, m.Key) >= 0 && !string.Equals(m.Key, "type", StringComparison.Ordinal)))
        {
            throw new Refusal(index, "a detection key without a qid", "qid");
        }

        return new Element(index == 0 ? ScanResultElementKind.Header : ScanResultElementKind.Appendix, index, bytePosition, members);
    }
}
