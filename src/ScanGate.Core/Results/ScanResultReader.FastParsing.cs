using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Json;

namespace ScanGate.Results;

// The element parser: json_extended elements are flat objects of strings, numbers and null, so one element is parsed
// here byte by byte with a vectorised scan through each string, and validated to the JSON grammar as strictly as
// Utf8JsonReader does (control characters, escapes, literals, numbers; nested values are handed to Utf8JsonReader),
// and further: every text is valid UTF-8 (those it does not materialise too), no key appears twice, a detection has
// its type and severity. ScanResultReaderDifferentialTests compares it with a Utf8JsonReader oracle on random and
// broken inputs.
public sealed partial class ScanResultReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private Step TryParseElement()
    {
        var parser = _elementParser ??= new FastElementParser(_values, _present, _rawTokens, _repeated, EvaluationFieldsOnly);
        var elementIndex = ElementIndex + 1;
        try
        {
            if (!parser.TryParse(_buffer.AsSpan(_position, _end - _position), _endOfStream))
            {
                return NeedMoreOrTruncated();
            }
        }
        catch (ElementException e)
        {
            throw ErrorAt(elementIndex, e.Describe(elementIndex), e.InnerException ?? e, e.Field, e.Offset);
        }

        return FinishElement(parser.Consumed, elementIndex, parser.HasQid, parser.Qid, parser.Unknown);
    }

    private enum ElementErrorKind
    {
        Syntax,
        Qid,
        Text,
        Duplicate,
        Incomplete,
    }

    /// <summary>Why an element is refused, the key concerned and where in the element; the reader adds the rest.</summary>
    private sealed class ElementException(ElementErrorKind kind, string detail, int offset, string? field, Exception? inner = null) : Exception(detail, inner)
    {
        public int Offset { get; } = offset;

        public string? Field { get; } = field;

        public string Describe(long elementIndex) => kind switch
        {
            ElementErrorKind.Qid => $"Element {elementIndex}: {Message}",
            ElementErrorKind.Text => $"Element {elementIndex} has text that is not valid UTF-8 or UTF-16{In()}: {Message}",
            ElementErrorKind.Duplicate => $"Element {elementIndex} has the key \"{Field}\" twice: duplicate keys are ambiguous.",
            ElementErrorKind.Incomplete => $"Element {elementIndex} is a detection row {Message}",
            _ => $"Element {elementIndex} is not valid JSON{In()}: {Message}",
        };

        private string In() => Field is null ? string.Empty : $" in \"{Field}\"";
    }

    /// <summary>
    /// The parser of one flat element object. Holds its own value arrays and repeated-value cache, so a second
    /// instance can parse another part of the buffer on another thread (parallel parsing).
    /// </summary>
    private sealed class FastElementParser
    {
        private readonly string?[] _values;
        private readonly bool[] _present;
        private readonly byte[]?[] _rawTokens;
        private readonly RepeatedValueCache _repeated;
        private HashSet<string>? _unknownNames;

        public FastElementParser(string?[] valueSlots, bool[] presentSlots, byte[]?[] tokenSlots, RepeatedValueCache repeated, bool evaluationFieldsOnly)
        {
            _values = valueSlots;
            _present = presentSlots;
            _rawTokens = tokenSlots;
            _repeated = repeated;
            EvaluationFieldsOnly = evaluationFieldsOnly;
        }

        public bool EvaluationFieldsOnly { get; }

        public int Consumed { get; private set; }

        public bool HasQid { get; private set; }

        public long Qid { get; private set; }

        public List<KeyValuePair<string, string?>>? Unknown { get; private set; }

        public string?[] Values => _values;

        public byte[]?[] RawTokens => _rawTokens;

        /// <summary>
        /// Parses the element at the start of <paramref name="span"/> ('{'). False when it does not end within the span
        /// (more data needed); throws <see cref="ElementException"/> when it is not valid.
        /// </summary>
        public bool TryParse(ReadOnlySpan<byte> span, bool isFinalBlock)
        {
            var (values, present, rawTokens) = ClearSlots(_values, _present, _rawTokens);
            List<KeyValuePair<string, string?>>? unknown = null;
            Unknown = null;
            long qid = 0;
            var skipText = false;
            var nullTypeOrSeverity = Field.Unknown;
            var expected = Field.Ip;

            // Where the key or value being read starts, and its name: what an error names.
            var at = 0;
            string? atName = null;

            try
            {
                // span[0] is '{' (checked by the caller).
                var i = SkipJsonWhitespace(span, 1);
                if (i >= span.Length)
                {
                    return false;
                }

                if (span[i] == '}')
                {
                    return Done(i + 1, qid, unknown, nullTypeOrSeverity);
                }

                while (true)
                {
                    at = i;
                    atName = null;
                    if (span[i] != '"')
                    {
                        throw new FormatException($"expected a property name, found {Describe(span[i])}");
                    }

                    // Keys come in the same order in every row: the expected key followed by its closing quote is the
                    // whole name token (a key has no escapes or control characters), so it needs no scan.
                    Field field;
                    int nameEnd;
                    string? name = null;
                    if ((uint)expected < (uint)FieldCount && span[(i + 1)..].StartsWith(QuotedFieldNames[(int)expected]))
                    {
                        field = expected;
                        nameEnd = i + 1 + QuotedFieldNames[(int)expected].Length;
                    }
                    else
                    {
                        nameEnd = ScanString(span, i, out var nameEscaped);
                        if (nameEnd < 0)
                        {
                            return false;
                        }

                        field = nameEscaped ? IdentifyEscaped(span[i..nameEnd]) : IdentifyName(span[(i + 1)..(nameEnd - 1)], expected);
                        name = field == Field.Unknown ? DecodeString(span[i..nameEnd], nameEscaped) : null;
                    }

                    atName = name ?? FieldNames[(int)field];
                    if (field == Field.Unknown ? !AddUnknownName(name!, unknown) : present[(int)field])
                    {
                        throw new ElementException(ElementErrorKind.Duplicate, "duplicate key", at, atName);
                    }

                    expected = field == Field.Unknown ? Field.Unknown : field + 1;

                    i = SkipJsonWhitespace(span, nameEnd);
                    if (i >= span.Length)
                    {
                        return false;
                    }

                    if (span[i] != ':')
                    {
                        throw new FormatException($"expected ':' after a property name, found {Describe(span[i])}");
                    }

                    i = SkipJsonWhitespace(span, i + 1);
                    if (i >= span.Length)
                    {
                        return false;
                    }

                    at = i;
                    var start = i;
                    string? text = null;
                    var first = span[i];
                    var skip = field != Field.Qid && IsSkipped(field, EvaluationFieldsOnly, skipText);
                    if (first == '"')
                    {
                        var end = ScanString(span, i, out var escaped);
                        if (end < 0)
                        {
                            return false;
                        }

                        var token = span[start..end];
                        i = end;
                        if (field == Field.Qid)
                        {
                            text = DecodeString(token, escaped);
                        }
                        else if (skip)
                        {
                            // Not materialised, but validated all the same (by ScanString): a result is UTF-8 text throughout.
                        }
                        else if (EvaluationFieldsOnly && IsKeptAsToken(field) && CanKeepToken(token, escaped))
                        {
                            rawTokens[(int)field] = token.ToArray();
                        }
                        else if (escaped || IsDistinctText(field))
                        {
                            text = DecodeString(token, escaped);
                        }
                        else
                        {
                            var value = token[1..^1];
                            if (!_repeated.TryGet(value, (int)field, out text))
                            {
                                text = StrictUtf8.GetString(value);
                                _repeated.Remember(value, (int)field, text);
                            }
                        }

                        if (EvaluationFieldsOnly && field == Field.Type && IsInformationGathered(text))
                        {
                            skipText = true;
                        }
                    }
                    else if (first is (byte)'{' or (byte)'[')
                    {
                        var nested = new Utf8JsonReader(span[i..], isFinalBlock, default);
                        if (!nested.Read() || !nested.TrySkip())
                        {
                            return false;
                        }

                        i += (int)nested.BytesConsumed;
                        if (!IsValidJsonText(span[start..i]))
                        {
                            throw new ElementException(ElementErrorKind.Text, "invalid UTF-8 bytes or a lone surrogate escape in a nested value", at, atName);
                        }

                        text = Encoding.UTF8.GetString(span[start..i]);
                    }
                    else if (first is (byte)'n' or (byte)'t' or (byte)'f')
                    {
                        var literal = first == 'n' ? "null"u8 : first == 't' ? "true"u8 : "false"u8;
                        var available = Math.Min(literal.Length, span.Length - i);
                        if (!span.Slice(i, available).SequenceEqual(literal[..available]))
                        {
                            throw new FormatException($"invalid literal at {Describe(first)}");
                        }

                        if (available < literal.Length)
                        {
                            return false;
                        }

                        i += literal.Length;
                        text = skip || first == 'n' ? null : first == 't' ? "true" : "false";
                        if (first == 'n' && field is Field.Type or Field.Severity && nullTypeOrSeverity == Field.Unknown)
                        {
                            nullTypeOrSeverity = field;
                        }
                    }
                    else if (first == '-' || IsDigit(first))
                    {
                        while (i < span.Length && (IsDigit(span[i]) || span[i] is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E'))
                        {
                            i++;
                        }

                        if (i >= span.Length)
                        {
                            return false;
                        }

                        // The grammar of the number itself (leading zeros, lone '-', '1.', exponents) is Utf8JsonReader's.
                        var number = new Utf8JsonReader(span[start..i], isFinalBlock: true, default);
                        if (!number.Read() || number.TokenType != JsonTokenType.Number || number.BytesConsumed != i - start)
                        {
                            throw new FormatException($"invalid number \"{Encoding.ASCII.GetString(span[start..i])}\"");
                        }

                        // As Utf8JsonReader.TryGetInt64: the whole token an integer that fits, and not negative.
                        if (field == Field.Qid && (!Utf8Parser.TryParse(span[start..i], out qid, out var used) || used != i - start || qid < 0))
                        {
                            throw new ElementException(ElementErrorKind.Qid, "\"qid\" is not a number.", at, atName);
                        }

                        text = skip || field == Field.Qid ? null : Encoding.ASCII.GetString(span[start..i]);
                    }
                    else
                    {
                        throw new FormatException($"unexpected {Describe(first)} where a value should be");
                    }

                    if (field == Field.Qid)
                    {
                        // A JSON number (above) or a numeric string is a qid; null, true or an object is not.
                        if (!(first == '-' || IsDigit(first))
                            && (first != '"' || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out qid)))
                        {
                            throw new ElementException(ElementErrorKind.Qid, "\"qid\" is not a number.", at, atName);
                        }

                        present[(int)Field.Qid] = true;
                    }
                    else if (field == Field.Unknown)
                    {
                        (unknown ??= []).Add(new(name!, text));
                    }
                    else
                    {
                        values[(int)field] = text;
                        present[(int)field] = true;
                    }

                    // After a value: ',' and the next name, or '}'.
                    i = SkipJsonWhitespace(span, i);
                    if (i >= span.Length)
                    {
                        return false;
                    }

                    if (span[i] == '}')
                    {
                        return Done(i + 1, qid, unknown, nullTypeOrSeverity);
                    }

                    if (span[i] != ',')
                    {
                        throw new FormatException($"expected ',' or '}}' after a value, found {Describe(span[i])}");
                    }

                    i = SkipJsonWhitespace(span, i + 1);
                    if (i >= span.Length)
                    {
                        return false;
                    }
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                throw new ElementException(ElementErrorKind.Syntax, ex.Message, at, atName, ex);
            }
            catch (Exception ex) when (ex is InvalidOperationException or DecoderFallbackException)
            {
                throw new ElementException(ElementErrorKind.Text, ex.Message, at, atName, ex);
            }
        }

        // A detection is judged by its type and severity: a row without either is not a complete detection.
        private bool Done(int consumed, long qid, List<KeyValuePair<string, string?>>? unknown, Field nullTypeOrSeverity)
        {
            var present = _present;
            var hasQid = present[(int)Field.Qid];
            if (hasQid)
            {
                foreach (var required in (ReadOnlySpan<Field>)[Field.Type, Field.Severity])
                {
                    if (!present[(int)required] || nullTypeOrSeverity == required)
                    {
                        var name = FieldNames[(int)required];
                        var problem = present[(int)required] ? $"with a null \"{name}\"." : $"without \"{name}\".";
                        throw new ElementException(ElementErrorKind.Incomplete, string.Create(CultureInfo.InvariantCulture, $"(qid {qid}) {problem}"), 0, name);
                    }
                }
            }

            Consumed = consumed;
            HasQid = hasQid;
            Qid = qid;
            Unknown = unknown;
            return true;
        }

        // False when the name was seen before in this element. Elements have few unknown keys: a set only for many.
        private bool AddUnknownName(string name, List<KeyValuePair<string, string?>>? unknown)
        {
            if (unknown is null)
            {
                return true;
            }

            if (unknown.Count < 8)
            {
                foreach (var (key, _) in unknown)
                {
                    if (string.Equals(key, name, StringComparison.Ordinal))
                    {
                        return false;
                    }
                }

                return true;
            }

            if (_unknownNames is null || unknown.Count == 8)
            {
                _unknownNames ??= new HashSet<string>(StringComparer.Ordinal);
                _unknownNames.Clear();
                foreach (var (key, _) in unknown)
                {
                    _unknownNames.Add(key);
                }
            }

            return _unknownNames.Add(name);
        }
    }

    // Index after the JSON string token starting at span[start] ('"'), or -1 when it is not wholly in the span. The
    // token is checked to be what Utf8JsonReader.GetString decodes: no control character, valid escapes, valid UTF-8
    // (checked where the scan stops at a non-ASCII byte, so ASCII runs cost nothing more) and every \u escape valid
    // UTF-16 (a surrogate only as a high-low pair). Invalid text throws DecoderFallbackException.
    private static int ScanString(ReadOnlySpan<byte> span, int start, out bool escaped)
    {
        escaped = false;
        var i = start + 1;
        while (true)
        {
            var run = IndexOfStringStop(span[i..]);
            if (run < 0)
            {
                return -1;
            }

            i += run;
            var b = span[i];
            if (b == '"')
            {
                return i + 1;
            }

            if (b >= 0x80)
            {
                var status = Rune.DecodeFromUtf8(span[i..], out _, out var used);
                if (status == OperationStatus.NeedMoreData)
                {
                    return -1;
                }

                if (status != OperationStatus.Done)
                {
                    throw new DecoderFallbackException($"invalid UTF-8 byte 0x{b:X2}");
                }

                i += used;
                continue;
            }

            if (b != '\\')
            {
                throw new FormatException($"control character 0x{b:X2} inside a string (it must be escaped)");
            }

            escaped = true;
            if (i + 1 >= span.Length)
            {
                return -1;
            }

            switch (span[i + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    i += 2;
                    break;
                case (byte)'u':
                    i = ScanUnicodeEscape(span, i);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
                default:
                    throw new FormatException($"invalid escape '\\{(char)span[i + 1]}' inside a string");
            }
        }
    }

    // The \uXXXX escape at span[i] (and the low surrogate's escape after a high one): the index after it, or -1 when
    // it is not wholly in the span. What is there already is checked, so a bad escape is not mistaken for a short read.
    private static int ScanUnicodeEscape(ReadOnlySpan<byte> span, int i)
    {
        var unit = HexEscape(span, i);
        if (unit < 0)
        {
            return -1;
        }

        if (unit is < 0xD800 or > 0xDFFF)
        {
            return i + 6;
        }

        if (unit >= 0xDC00)
        {
            throw new DecoderFallbackException($"lone low surrogate escape \\u{unit:X4}");
        }

        if ((i + 6 < span.Length && span[i + 6] != '\\') || (i + 7 < span.Length && span[i + 7] != 'u'))
        {
            throw new DecoderFallbackException($"high surrogate escape \\u{unit:X4} without its low surrogate");
        }

        var low = i + 8 <= span.Length ? HexEscape(span, i + 6) : -1;
        if (low < 0)
        {
            return -1;
        }

        return low is >= 0xDC00 and <= 0xDFFF
            ? i + 12
            : throw new DecoderFallbackException($"high surrogate escape \\u{unit:X4} without its low surrogate");
    }

    // The value of the \uXXXX at span[i] ('\\', 'u' checked by the caller), or -1 when its digits are not all there.
    private static int HexEscape(ReadOnlySpan<byte> span, int i)
    {
        var end = Math.Min(span.Length, i + 6);
        var unit = 0;
        for (var k = i + 2; k < end; k++)
        {
            RequireHex(span[k]);
            unit = (unit << 4) | HexValue(span[k]);
        }

        return end == i + 6 ? unit : -1;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    // What ends the plain run of a JSON string: its closing quote, an escape, a control character (which must be
    // escaped) or a non-ASCII byte (whose UTF-8 sequence is checked). Strings are mostly short and the span runs to the
    // end of the buffer, so one vector compare usually finds the closing quote; SearchValues costs more to set up per
    // call than the whole compare here.
    private static int IndexOfStringStop(ReadOnlySpan<byte> span)
    {
        ref var start = ref MemoryMarshal.GetReference(span);
        var length = span.Length;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var quote = Vector256.Create((byte)'"');
            var backslash = Vector256.Create((byte)'\\');
            var space = Vector256.Create((byte)0x20);
            for (; i <= length - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                var block = Vector256.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector256.Equals(block, quote) | Vector256.Equals(block, backslash) | Vector256.LessThan(block, space);
                var mask = stops.ExtractMostSignificantBits() | block.ExtractMostSignificantBits();
                if (mask != 0)
                {
                    return i + BitOperations.TrailingZeroCount(mask);
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var space = Vector128.Create((byte)0x20);
            for (; i <= length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var block = Vector128.LoadUnsafe(ref start, (nuint)i);
                var stops = Vector128.Equals(block, quote) | Vector128.Equals(block, backslash) | Vector128.LessThan(block, space);
                var mask = stops.ExtractMostSignificantBits() | block.ExtractMostSignificantBits();
                if (mask != 0)
                {
                    return i + BitOperations.TrailingZeroCount(mask);
                }
            }
        }

        for (; i < length; i++)
        {
            var b = Unsafe.Add(ref start, i);
            if (b < 0x20 || b == '"' || b == '\\' || b >= 0x80)
            {
                return i;
            }
        }

        return -1;
    }

    // Every string and property name of a complete JSON value (checked by Utf8JsonReader) is valid text.
    private static bool IsValidJsonText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, isFinalBlock: true, default);
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName
                && !IsValidStringToken(json.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2)))
            {
                return false;
            }
        }

        return true;
    }

    // A whole string token (quotes included) that Utf8JsonReader read: valid by the rules of ScanString.
    private static bool IsValidStringToken(ReadOnlySpan<byte> token)
    {
        try
        {
            return ScanString(token, 0, out _) == token.Length;
        }
        catch (Exception e) when (e is DecoderFallbackException or FormatException)
        {
            return false;
        }
    }

    private static void RequireHex(byte b)
    {
        if (!char.IsAsciiHexDigit((char)b))
        {
            throw new FormatException($"invalid \\u escape: {Describe(b)} is not a hexadecimal digit");
        }
    }

    // Decodes a whole string token (quotes included); an escaped one through Utf8JsonReader, which unescapes it.
    internal static string DecodeString(ReadOnlySpan<byte> token, bool escaped)
    {
        if (!escaped)
        {
            return StrictUtf8.GetString(token[1..^1]);
        }

        var reader = new Utf8JsonReader(token, isFinalBlock: true, default);
        reader.Read();
        return reader.GetString()!;
    }

    private static Field IdentifyEscaped(ReadOnlySpan<byte> token)
    {
        var index = Array.IndexOf(FieldNames, DecodeString(token, escaped: true));
        return index < 0 ? Field.Unknown : (Field)index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipJsonWhitespace(ReadOnlySpan<byte> span, int index)
    {
        if ((uint)index < (uint)span.Length && span[index] > (byte)' ')
        {
            return index;
        }

        while (index < span.Length && span[index] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            index++;
        }

        return index;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static string Describe(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";
}
