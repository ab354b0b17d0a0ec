using System.Globalization;
using System.Text;

namespace ScanGate.Emulator;

/// <summary>Hand-written XML in the Qualys layout (DOCTYPE lines, comments, CDATA on its own indented line).</summary>
internal static class Xml
{
    public const string Prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n";

    // Recorded real comments end with "//--> " and a newline (a space before the line break).
    public const string Confidential =
        "<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. Qualys provides the QualysGuard Service \"As Is,\" without any warranty of any kind. Qualys makes no warranty that the information contained in this report is complete or error-free. Copyright 2026, Qualys, Inc. //--> \n";

    public const string Evaluation = "<!-- This report was generated with an evaluation version of Qualys //--> \n";

    /// <summary>
    /// The opening of an FO list document as recorded from an evaluation tenant: prolog, DOCTYPE, then (evaluation
    /// subscriptions only) the evaluation comment between the DOCTYPE and the root element.
    /// </summary>
    public static StringBuilder Head(StringBuilder sb, string root, string baseUrl, string dtdPath, bool evaluation)
    {
        sb.Append(Prolog).Append(Doctype(root, baseUrl, dtdPath));
        if (evaluation)
        {
            sb.Append(Evaluation);
        }

        return sb;
    }

    /// <summary>The end of an FO list document: the evaluation comment again (evaluation only), then the CONFIDENTIAL notice.</summary>
    public static StringBuilder Tail(StringBuilder sb, bool evaluation)
    {
        if (evaluation)
        {
            sb.Append(Evaluation);
        }

        return sb.Append(Confidential);
    }

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    // Control characters other than tab/newline are not allowed in XML 1.0.
                    if (c >= ' ' || c is '\t' or '\n' or '\r')
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>CDATA section; a literal "]]&gt;" in the text is split across two sections.</summary>
    public static string CData(string? text) =>
        "<![CDATA[" + (text ?? "").Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal) + "]]>";

    public static string Doctype(string root, string baseUrl, string dtdPath) =>
        $"<!DOCTYPE {root} SYSTEM \"{baseUrl.TrimEnd('/')}{dtdPath}\">\n";
}
