using System.Globalization;
using System.Text;
using System.Xml;

namespace ScanGate.Qualys;

/// <summary>One QPS filter criterion: <c>&lt;Criteria field="…" operator="…"&gt;value&lt;/Criteria&gt;</c>.</summary>
public sealed record QpsCriterion(string Field, string Operator, string Value);

/// <summary>Builds QPS <c>ServiceRequest</c> bodies with an XmlWriter, so values are always escaped.</summary>
internal static class QpsRequest
{
    internal static string Build(IEnumerable<QpsCriterion> criteria, int? startFromOffset = null, int? limitResults = null)
    {
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Encoding = new UTF8Encoding(false), Indent = false };
        var sb = new StringBuilder();
        using (var writer = XmlWriter.Create(sb, settings))
        {
            writer.WriteStartElement("ServiceRequest");
            if (startFromOffset is not null || limitResults is not null)
            {
                writer.WriteStartElement("preferences");
                if (startFromOffset is { } offset)
                {
                    writer.WriteElementString("startFromOffset", offset.ToString(CultureInfo.InvariantCulture));
                }

                if (limitResults is { } limit)
                {
                    writer.WriteElementString("limitResults", limit.ToString(CultureInfo.InvariantCulture));
                }

                writer.WriteEndElement();
            }

            var list = criteria.ToList();
            if (list.Count > 0)
            {
                writer.WriteStartElement("filters");
                foreach (var c in list)
                {
                    writer.WriteStartElement("Criteria");
                    writer.WriteAttributeString("field", c.Field);
                    writer.WriteAttributeString("operator", c.Operator);
                    writer.WriteString(c.Value);
                    writer.WriteEndElement();
                }

                writer.WriteEndElement();
            }

            writer.WriteEndElement();
        }

        return sb.ToString();
    }
}
