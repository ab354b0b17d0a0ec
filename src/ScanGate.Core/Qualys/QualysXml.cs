using System.Globalization;
using System.Xml;
using System.Xml.Linq;

namespace ScanGate.Qualys;

/// <summary>
/// Safe XML reading for Qualys responses: DOCTYPE lines are tolerated but ignored (never resolved or expanded: no XXE,
/// no entity expansion), comments anywhere are skipped, a missing prolog is fine.
/// </summary>
internal static class QualysXml
{
    internal static XmlReaderSettings ReaderSettings() => new()
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersFromEntities = 1024,
        CloseInput = false,
        Async = false,
    };

    /// <summary>Parses a whole (small) response body.</summary>
    internal static XDocument Parse(byte[] body, string operation)
    {
        try
        {
            // Leading whitespace before "<?xml" makes a document invalid; Qualys bodies sometimes start with a newline.
            var start = 0;
            while (start < body.Length && body[start] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                start++;
            }

            using var stream = new MemoryStream(body, start, body.Length - start, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings());
            return XDocument.Load(reader, LoadOptions.None);
        }
        catch (XmlException ex)
        {
            throw new QualysResponseFormatException(operation, $"the XML is malformed ({ex.Message})", ex);
        }
    }

    internal static bool LooksLikeXml(ReadOnlySpan<byte> body)
    {
        var i = 0;
        if (body.Length >= 3 && body[0] == 0xEF && body[1] == 0xBB && body[2] == 0xBF)
        {
            i = 3;
        }

        while (i < body.Length && body[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i < body.Length && body[i] == (byte)'<';
    }

    internal static bool LooksLikeHtml(ReadOnlySpan<byte> body)
    {
        var head = System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 512)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');

        // An XML declaration or a non-html DOCTYPE means XML, even if CDATA text further on mentions <html>.
        if (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) ||
            (head.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) && !head.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        return head.Contains("<html", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<!DOCTYPE html", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Trimmed text of a child element (CDATA is often on its own indented line), or null.</summary>
    internal static string? Text(this XElement? parent, string name)
    {
        var value = parent?.Element(name)?.Value;
        return value?.Trim();
    }

    internal static string? TextAt(this XElement? parent, params string[] path)
    {
        var current = parent;
        foreach (var name in path)
        {
            current = current?.Element(name);
        }

        return current?.Value.Trim();
    }

    internal static long? Long(this XElement? parent, string name) =>
        long.TryParse(parent.Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    internal static int? Int(this XElement? parent, string name) =>
        int.TryParse(parent.Text(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null;

    internal static bool Flag(this XElement? parent, string name) =>
        parent.Text(name) is "1" or "true" or "TRUE" or "True";

    internal static DateTimeOffset? Date(this XElement? parent, string name) =>
        DateTimeOffset.TryParse(parent.Text(name), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var v) ? v : null;

    /// <summary>
    /// The error carried by a <c>SIMPLE_RETURN</c> (with a CODE) or a failed <c>GENERIC_RETURN</c>, or null when the
    /// document is not an error. 1980 (truncation warning) is not an error.
    /// </summary>
    internal static (int? Code, string? Text)? FindError(XDocument doc)
    {
        var root = doc.Root;
        if (root is null)
        {
            return null;
        }

        if (string.Equals(root.Name.LocalName, "SIMPLE_RETURN", StringComparison.Ordinal))
        {
            var response = root.Element("RESPONSE");
            var codeText = response.Text("CODE");
            if (string.IsNullOrEmpty(codeText))
            {
                return null;
            }

            int? code = int.TryParse(codeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : null;
            return (code, response.Text("TEXT"));
        }

        if (string.Equals(root.Name.LocalName, "GENERIC_RETURN", StringComparison.Ordinal))
        {
            // Legacy v1 shape: <RETURN status="FAILED" number="2000">text</RETURN>.
            var ret = root.Element("RETURN");
            var status = ret?.Attribute("status")?.Value;
            var number = ret?.Attribute("number")?.Value;
            if (ret is null || (number is null && string.Equals(status, "SUCCESS", StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            int? code = int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : null;
            return (code, ret.Value.Trim());
        }

        return null;
    }

    /// <summary>Value of <c>ITEM_LIST/ITEM[KEY=key]/VALUE</c> in a SIMPLE_RETURN.</summary>
    internal static string? Item(XDocument doc, string key) =>
        doc.Root?.Element("RESPONSE")?.Element("ITEM_LIST")?.Elements("ITEM")
            .FirstOrDefault(i => string.Equals(i.Text("KEY"), key, StringComparison.OrdinalIgnoreCase))
            .Text("VALUE");
}
