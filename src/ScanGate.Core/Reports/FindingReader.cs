using System.Text.Json;

namespace ScanGate.Reports;

/// <summary>
/// Reads one <c>findings[]</c> object of scangate-result.json in a single pass: the same mapping and refusals as
/// <see cref="JsonSerializer"/> with <see cref="ResultFileReader.SerializerOptions"/> (snake_case names, numbers only
/// where numbers are due, ports and Bugtraq IDs as string or number, unknown keys skipped), without the serializer's
/// extra passes over each value, which made report rendering read ~50 MB/s. FindingReaderTests compares the two.
/// </summary>
internal static class FindingReader
{
    /// <summary>
    /// Reads the object whose StartObject is the reader's current token. False when the buffer ends first (read again
    /// with more data); throws <see cref="JsonException"/> (with the property path) on anything the serializer refuses.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, out Finding? finding)
    {
        finding = null;
        string? host = null, dns = null, netbios = null, os = null, title = null, type = null, category = null;
        string? port = null, protocol = null, cvss2Vector = null, cvss3Vector = null, bugtraqId = null, results = null, solution = null;
        long qid = 0;
        int? severity = null;
        double? cvss2 = null, cvss3 = null;
        bool? pci = null, exploitable = null, malware = null;
        var evaluated = false;
        IReadOnlyList<string>? cves = null, matched = null, warned = null;
        ExclusionRecord? excluded = null;
        ExceptedRecord? excepted = null;
        var expected = 0;

        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Our writer puts the keys in one order, so the key after the previous one is tried first.
            var key = IdentifyKey(ref reader, expected);
            expected = key + 1;
            switch (key)
            {
                case 0: // host
                    if (!TryString(ref reader, "host", out host))
                    {
                        return false;
                    }

                    break;
                case 1: // dns
                    if (!TryString(ref reader, "dns", out dns))
                    {
                        return false;
                    }

                    break;
                case 2: // netbios
                    if (!TryString(ref reader, "netbios", out netbios))
                    {
                        return false;
                    }

                    break;
                case 3: // os
                    if (!TryString(ref reader, "os", out os))
                    {
                        return false;
                    }

                    break;
                case 4: // qid
                    if (!TryLong(ref reader, "qid", out qid))
                    {
                        return false;
                    }

                    break;
                case 5: // title
                    if (!TryString(ref reader, "title", out title))
                    {
                        return false;
                    }

                    break;
                case 6: // severity
                    if (!TryInt(ref reader, "severity", out severity))
                    {
                        return false;
                    }

                    break;
                case 7: // type
                    if (!TryString(ref reader, "type", out type))
                    {
                        return false;
                    }

                    break;
                case 8: // category
                    if (!TryString(ref reader, "category", out category))
                    {
                        return false;
                    }

                    break;
                case 9: // port
                    if (!TryStringOrNumber(ref reader, "port", out port))
                    {
                        return false;
                    }

                    break;
                case 10: // protocol
                    if (!TryString(ref reader, "protocol", out protocol))
                    {
                        return false;
                    }

                    break;
                case 11: // cves
                    if (!TryStrings(ref reader, "cves", out cves))
                    {
                        return false;
                    }

                    break;
                case 12: // cvss2
                    if (!TryDouble(ref reader, "cvss2", out cvss2))
                    {
                        return false;
                    }

                    break;
                case 13: // cvss2_vector
                    if (!TryString(ref reader, "cvss2_vector", out cvss2Vector))
                    {
                        return false;
                    }

                    break;
                case 14: // cvss3
                    if (!TryDouble(ref reader, "cvss3", out cvss3))
                    {
                        return false;
                    }

                    break;
                case 15: // cvss3_vector
                    if (!TryString(ref reader, "cvss3_vector", out cvss3Vector))
                    {
                        return false;
                    }

                    break;
                case 16: // pci
                    if (!TryBool(ref reader, "pci", out pci))
                    {
                        return false;
                    }

                    break;
                case 17: // exploitable
                    if (!TryBool(ref reader, "exploitable", out exploitable))
                    {
                        return false;
                    }

                    break;
                case 18: // malware
                    if (!TryBool(ref reader, "malware", out malware))
                    {
                        return false;
                    }

                    break;
                case 19: // bugtraq_id
                    if (!TryStringOrNumber(ref reader, "bugtraq_id", out bugtraqId))
                    {
                        return false;
                    }

                    break;
                case 20: // results
                    if (!TryString(ref reader, "results", out results))
                    {
                        return false;
                    }

                    break;
                case 21: // solution
                    if (!TryString(ref reader, "solution", out solution))
                    {
                        return false;
                    }

                    break;
                case 22: // evaluated
                {
                    if (!TryBool(ref reader, "evaluated", out var value))
                    {
                        return false;
                    }

                    evaluated = value ?? throw Refuse("evaluated", "a boolean", JsonTokenType.Null);
                    break;
                }
                case 23: // matched
                    if (!TryStrings(ref reader, "matched", out matched))
                    {
                        return false;
                    }

                    break;
                case 24: // warned
                    if (!TryStrings(ref reader, "warned", out warned))
                    {
                        return false;
                    }

                    break;
                case 25: // excluded
                {
                    if (!TryRecord(ref reader, "excluded", "by"u8, "value"u8, null, out var values))
                    {
                        return false;
                    }

                    excluded = values is null ? null : new ExclusionRecord(values[0], values[1]);
                    break;
                }
                case 26: // excepted
                {
                    if (!TryRecord(ref reader, "excepted", "id"u8, "reason"u8, "expires"u8, out var values))
                    {
                        return false;
                    }

                    excepted = values is null ? null : new ExceptedRecord(values[0], values[1], values[2]);
                    break;
                }
                default:
                    // A key of a later schema: skipped, as the serializer does.
                    if (!reader.Read() || !reader.TrySkip())
                    {
                        return false;
                    }

                    break;
            }
        }

        finding = new Finding
        {
            Host = host,
            Dns = dns,
            Netbios = netbios,
            Os = os,
            Qid = qid,
            Title = title,
            Severity = severity,
            Type = type,
            Category = category,
            Port = port,
            Protocol = protocol,
            Cves = cves,
            Cvss2 = cvss2,
            Cvss2Vector = cvss2Vector,
            Cvss3 = cvss3,
            Cvss3Vector = cvss3Vector,
            Pci = pci,
            Exploitable = exploitable,
            Malware = malware,
            BugtraqId = bugtraqId,
            Results = results,
            Solution = solution,
            Evaluated = evaluated,
            Matched = matched,
            Warned = warned,
            Excluded = excluded,
            Excepted = excepted,
        };
        return true;
    }

    // The keys of docs/result-schema.md findings[], in the order FindingJson writes them.
    private static readonly byte[][] Keys = [.. new[]
    {
        "host", "dns", "netbios", "os", "qid", "title", "severity", "type", "category", "port", "protocol", "cves", "cvss2",
        "cvss2_vector", "cvss3", "cvss3_vector", "pci", "exploitable", "malware", "bugtraq_id", "results", "solution",
        "evaluated", "matched", "warned", "excluded", "excepted",
    }.Select(System.Text.Encoding.UTF8.GetBytes)];

    // The index of the current property name in Keys (-1 for an unknown key).
    private static int IdentifyKey(ref Utf8JsonReader reader, int expected)
    {
        if (reader.ValueIsEscaped)
        {
            for (var i = 0; i < Keys.Length; i++)
            {
                if (reader.ValueTextEquals(Keys[i]))
                {
                    return i;
                }
            }

            return -1;
        }

        var name = reader.ValueSpan;
        if ((uint)expected < (uint)Keys.Length && name.SequenceEqual(Keys[expected]))
        {
            return expected;
        }

        for (var i = 0; i < Keys.Length; i++)
        {
            if (name.SequenceEqual(Keys[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool TryString(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        value = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Null => null,
            _ => throw Refuse(name, "a string", reader.TokenType),
        };
        return true;
    }

    private static bool TryStringOrNumber(ref Utf8JsonReader reader, string name, out string? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        value = reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.Null => null,
            _ => throw Refuse(name, "a string or number", reader.TokenType),
        };
        return true;
    }

    private static bool TryLong(ref Utf8JsonReader reader, string name, out long value)
    {
        value = 0;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out value))
        {
            throw Refuse(name, "an integer", reader.TokenType);
        }

        return true;
    }

    private static bool TryInt(ref Utf8JsonReader reader, string name, out int? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var number))
        {
            throw Refuse(name, "an integer", reader.TokenType);
        }

        value = number;
        return true;
    }

    private static bool TryDouble(ref Utf8JsonReader reader, string name, out double? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var number))
        {
            throw Refuse(name, "a number", reader.TokenType);
        }

        value = number;
        return true;
    }

    private static bool TryBool(ref Utf8JsonReader reader, string name, out bool? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        value = reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw Refuse(name, "a boolean", reader.TokenType),
        };
        return true;
    }

    private static bool TryStrings(ref Utf8JsonReader reader, string name, out IReadOnlyList<string>? value)
    {
        value = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Refuse(name, "an array of strings", reader.TokenType);
        }

        var list = new List<string>();
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndArray)
            {
                value = list;
                return true;
            }

            list.Add(reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Null => null!,
                _ => throw Refuse(name + "[" + list.Count + "]", "a string", reader.TokenType),
            });
        }
    }

    // A small object of string members (excluded, excepted); unknown members skipped. Null for JSON null.
    private static bool TryRecord(ref Utf8JsonReader reader, string name, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, ReadOnlySpan<byte> third, out string?[]? values)
    {
        values = null;
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Refuse(name, "an object", reader.TokenType);
        }

        var found = new string?[3];
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                values = found;
                return true;
            }

            var slot = reader.ValueTextEquals(first) ? 0 : reader.ValueTextEquals(second) ? 1 : !third.IsEmpty && reader.ValueTextEquals(third) ? 2 : -1;
            if (slot < 0)
            {
                if (!reader.Read() || !reader.TrySkip())
                {
                    return false;
                }

                continue;
            }

            if (!TryString(ref reader, name, out found[slot]))
            {
                return false;
            }
        }
    }

    private static JsonException Refuse(string name, string expected, JsonTokenType found) =>
        new($"The value of '{name}' must be {expected}, not {found}.", "$." + name, null, null);
}
