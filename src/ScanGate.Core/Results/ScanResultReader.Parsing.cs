using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScanGate.Results;

// The streaming part of the reader: the buffer, the array and its optional wrapper, and what makes a result complete.
// Each element is parsed from the buffer by the element parser (ScanResultReader.FastParsing.cs); when the element is
// not wholly buffered yet, the attempt is dropped and retried after more bytes arrive (only at buffer boundaries).
public sealed partial class ScanResultReader
{
    private const int InitialBufferSize = 1 << 20;

    // The parallel parser splits what is buffered: fewer, larger splits measured faster (docs/performance.md).
    private const int ParallelBufferSize = 4 << 20;

    /// <summary>An element larger than this is refused rather than buffered without bound (fail closed).</summary>
    private const int MaxElementSize = 256 << 20;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string?[] _values = new string?[FieldCount];
    private readonly bool[] _present = new bool[FieldCount];
    private readonly byte[]?[] _rawTokens = new byte[]?[FieldCount];
    private readonly RepeatedValueCache _repeated = new(FieldCount);
    private FastElementParser? _elementParser;
    private byte[] _buffer;
    private int _position;
    private int _end;
    private long _bufferOffset;
    private bool _endOfStream;
    private Phase _phase = Phase.Start;
    private bool _wrapped;
    private bool _expectSeparator;
    private bool _afterSeparator;
    private bool _sawSummary;
    private bool _sawHeader;

    /// <param name="stream">The result body or file; read forward only.</param>
    /// <param name="leaveOpen">When false (the default) disposing the reader disposes the stream.</param>
    public ScanResultReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _buffer = [];
    }

    private enum Phase
    {
        Start,
        InArray,
        AfterArray,
        Done,
    }

    private enum Step
    {
        Element,
        Finished,
        NeedMoreData,

        /// <summary>The next elements are being parsed on another thread; wait for it.</summary>
        AwaitFragment,
    }

    /// <summary>
    /// Materialise only what the evaluation judges and writes, for speed on large results: the texts the gate never
    /// uses (threat, impact, vendor_reference, the temporal scores, fqdn, ssl, ip_status, instance) are read as null;
    /// the texts of an <c>Ig</c> row after its <c>type</c> are read as null (information gathered is never judged or
    /// written); <c>title</c>, <c>cve_id</c>, the CVSS base strings, <c>results</c> and <c>solution</c> are kept as
    /// their JSON tokens when valid UTF-8 without <c>\u</c> escapes, and decoded only when asked for (the evaluation
    /// decodes them on its judging thread, or copies them into scangate-result.json as they are).
    /// Validation is unchanged: every byte is still parsed and every text checked to be valid UTF-8, so a malformed
    /// result fails exactly as without it.
    /// </summary>
    public bool EvaluationFieldsOnly { get; init; }

    /// <summary>
    /// Has no effect: ScanGate's own validating parser is the only parser of <c>json_extended</c> (the
    /// <see cref="Utf8JsonReader"/> element parser it replaced is the oracle of the tests). Kept only while
    /// <c>Policy/EvaluationRunner</c> still sets it; false is refused.
    /// </summary>
    public bool FastParser
    {
        get;
        init => field = value ? value : throw new NotSupportedException(
            "The Utf8JsonReader element parser was removed: the fast validating parser is the only parser.");
    } = true;

    /// <summary>Advances to the next element; false once the array (and its wrapper) closed properly.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            switch (TryStep())
            {
                case Step.Element:
                    return true;
                case Step.Finished:
                    return false;
                case Step.AwaitFragment:
                    await _fragment!.Task.ConfigureAwait(false);
                    break;
                default:
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A worker may still be reading the buffer: it must finish before the buffer goes back to the pool.
        await SettleFragmentAsync().ConfigureAwait(false);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        if (!_leaveOpen)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        // Needing data while a worker parses ahead means the split was not at an element boundary: drop its work
        // before the buffer moves.
        await SettleFragmentAsync().ConfigureAwait(false);

        if (_endOfStream)
        {
            // TryStep asked for more data after the end: it is reported there as truncation.
            throw Error("The result ends unexpectedly (truncated).");
        }

        if (_position > 0)
        {
            // Keep only the unconsumed tail (the element being read).
            Buffer.BlockCopy(_buffer, _position, _buffer, 0, _end - _position);
            _bufferOffset += _position;
            _end -= _position;
            _position = 0;
        }

        if (_buffer.Length == 0)
        {
            // Rented on first use: the options that choose its size are set after the constructor.
            _buffer = ArrayPool<byte>.Shared.Rent(ParallelParsing ? ParallelBufferSize : InitialBufferSize);
        }
        else if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxElementSize)
            {
                throw Error($"An element is larger than {MaxElementSize >> 20} MB; refusing to buffer it.");
            }

            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _endOfStream = true;
        }

        _end += read;
    }

    private Step TryStep()
    {
        while (true)
        {
            switch (_phase)
            {
                case Phase.Start:
                {
                    var step = TryReadStart();
                    if (step != Step.Element)
                    {
                        return step;
                    }

                    continue;
                }

                case Phase.InArray:
                    return TryReadArrayItem();
                case Phase.AfterArray:
                {
                    var step = TryReadAfterArray();
                    if (step == Step.Finished)
                    {
                        Detection = null;
                        Fields = EmptyFields;
                        RequireHeaderAndSummary();
                    }

                    return step;
                }

                default:
                    return Step.Finished;
            }
        }
    }

    // Returns Element when the opening '[' (or the wrapper up to its "data" array) was consumed.
    private Step TryReadStart()
    {
        var first = SkipWhitespace(allowBom: true);
        if (first < 0)
        {
            if (_endOfStream)
            {
                throw Error("The result is empty.");
            }

            return Step.NeedMoreData;
        }

        switch (first)
        {
            case (byte)'[':
                _position++;
                _phase = Phase.InArray;
                return Step.Element;
            case (byte)'{':
                return TryReadWrapperStart();
            case (byte)'<':
                throw Error("The result is XML, not a JSON array (an API error response in place of the result?): " + Preview());
            default:
                throw Error("The result is not a JSON array: " + Preview());
        }
    }

    // The plugin artifact {"data":[...], "evaluationResult":{...}}: skip other keys until "data".
    private Step TryReadWrapperStart()
    {
        var reader = new Utf8JsonReader(_buffer.AsSpan(_position, _end - _position), _endOfStream, default);
        try
        {
            if (!reader.Read())
            {
                return Step.NeedMoreData;
            }

            while (true)
            {
                if (!reader.Read())
                {
                    return Step.NeedMoreData;
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    throw Error("The result is a JSON object without a \"data\" array.");
                }

                if (!IsValidStringToken(_buffer.AsSpan(_position + (int)reader.TokenStartIndex, reader.ValueSpan.Length + 2)))
                {
                    throw Error("A member name of the result object is not valid UTF-8 or UTF-16.");
                }

                var isData = reader.ValueTextEquals("data"u8);
                if (!reader.Read())
                {
                    return Step.NeedMoreData;
                }

                if (isData)
                {
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw Error("The \"data\" member of the result is not an array.");
                    }

                    _position += (int)reader.BytesConsumed;
                    _wrapped = true;
                    _phase = Phase.InArray;
                    return Step.Element;
                }

                var valueStart = (int)reader.TokenStartIndex;
                if (!reader.TrySkip())
                {
                    return Step.NeedMoreData;
                }

                RequireValidText(_buffer.AsSpan(_position + valueStart, (int)reader.BytesConsumed - valueStart));
            }
        }
        catch (JsonException ex)
        {
            throw Error("The result is not valid JSON: " + ex.Message, ex);
        }
    }

    private Step TryReadArrayItem()
    {
        if (_fragment is { Splicing: true } spliced)
        {
            return ServeFragment(spliced);
        }

        var next = SkipWhitespace(allowBom: false);
        if (next < 0)
        {
            return _endOfStream ? throw Error("The result ends unexpectedly (truncated): the array is not closed.") : Step.NeedMoreData;
        }

        if (next == ']')
        {
            if (_afterSeparator)
            {
                // Also when the ',' ended the previous buffer: a trailing comma is not JSON.
                throw Error($"Element {ElementIndex + 1} is missing: ',' is followed by ']'.");
            }

            _position++;
            _phase = Phase.AfterArray;
            return TryStep();
        }

        if (_expectSeparator)
        {
            if (next != ',')
            {
                throw Error($"Expected ',' or ']' after element {ElementIndex}, found '{(char)next}'.");
            }

            _position++;
            _expectSeparator = false;
            _afterSeparator = true;
            next = SkipWhitespace(allowBom: false);
            if (next < 0)
            {
                return _endOfStream ? throw Error("The result ends unexpectedly (truncated) after a ','.") : Step.NeedMoreData;
            }
        }

        if (next != '{')
        {
            throw Error($"Element {ElementIndex + 1} is not a JSON object: " + Preview());
        }

        if (_fragment is { } fragment)
        {
            if (_position >= fragment.Start)
            {
                if (!fragment.Task.IsCompleted)
                {
                    return Step.AwaitFragment;
                }

                if (_position == fragment.Start && fragment.Task.Result)
                {
                    FragmentsUsed++;
                    fragment.Splicing = true;
                    return ServeFragment(fragment);
                }

                // Not at an element boundary, or the worker met something it leaves to this path: read on ourselves.
                _fragment = null;
            }
        }
        else if (ParallelParsing)
        {
            TryStartFragment();
        }

        var step = TryParseElement();
        if (step == Step.Element)
        {
            _expectSeparator = true;
            _afterSeparator = false;
        }

        return step;
    }

    private Step TryReadAfterArray()
    {
        const string Unclosed = "The result ends unexpectedly (truncated): the wrapper object is not closed.";
        try
        {
            // The plugin artifact: more members (e.g. "evaluationResult") after "data", then '}'. Each member is
            // consumed whole or not at all, so a retry after more data starts from a clean position.
            while (_wrapped)
            {
                var next = SkipWhitespace(allowBom: false);
                if (next < 0)
                {
                    return NeedMoreOr(Unclosed);
                }

                if (next == '}')
                {
                    _position++;
                    _wrapped = false;
                    break;
                }

                if (next != ',')
                {
                    throw Error($"Unexpected '{(char)next}' after the \"data\" array.");
                }

                var index = IndexAfterWhitespace(_position + 1);
                var keyReader = new Utf8JsonReader(_buffer.AsSpan(index, _end - index), _endOfStream, default);
                if (!keyReader.Read())
                {
                    return NeedMoreOr(Unclosed);
                }

                if (keyReader.TokenType != JsonTokenType.String)
                {
                    throw Error("Expected a member name after the \"data\" array.");
                }

                if (keyReader.ValueTextEquals("data"u8))
                {
                    // Which of two arrays is the result would be a guess.
                    throw Error("The result object has a second \"data\" member (duplicate key).", field: "data");
                }

                if (!IsValidStringToken(_buffer.AsSpan(index, keyReader.ValueSpan.Length + 2)))
                {
                    throw Error("A member name of the result object is not valid UTF-8 or UTF-16.");
                }

                index = IndexAfterWhitespace(index + (int)keyReader.BytesConsumed);
                if (index >= _end)
                {
                    return NeedMoreOr(Unclosed);
                }

                if (_buffer[index] != ':')
                {
                    throw Error("Expected ':' after a member name of the result object.");
                }

                index = IndexAfterWhitespace(index + 1);
                if (index >= _end)
                {
                    return NeedMoreOr(Unclosed);
                }

                var valueReader = new Utf8JsonReader(_buffer.AsSpan(index, _end - index), _endOfStream, default);
                if (!valueReader.Read() || !valueReader.TrySkip())
                {
                    return NeedMoreOr(Unclosed);
                }

                RequireValidText(_buffer.AsSpan(index, (int)valueReader.BytesConsumed));
                _position = index + (int)valueReader.BytesConsumed;
            }
        }
        catch (JsonException ex)
        {
            throw Error("The result is not valid JSON after the \"data\" array: " + ex.Message, ex);
        }

        var trailing = SkipWhitespace(allowBom: false);
        if (trailing >= 0)
        {
            throw Error("Unexpected data after the end of the result: " + Preview());
        }

        if (!_endOfStream)
        {
            return Step.NeedMoreData;
        }

        _phase = Phase.Done;
        return Step.Finished;
    }

    private void RequireValidText(ReadOnlySpan<byte> json)
    {
        if (!IsValidJsonText(json))
        {
            throw Error("The result object has text that is not valid UTF-8 or UTF-16 outside its \"data\" array.");
        }
    }

    private Step NeedMoreOr(string truncatedMessage) => _endOfStream ? throw Error(truncatedMessage) : Step.NeedMoreData;

    // Consumes the element's bytes, builds the detection or the fields, and classifies them. The element parser has
    // checked the element itself (JSON, UTF-8, no duplicate key, a detection's qid, type and severity); what depends on
    // the elements before it is checked here.
    private Step FinishElement(int consumed, long elementIndex, bool hasQid, long qid, List<KeyValuePair<string, string?>>? unknown)
    {
        var values = _values;
        var present = _present;
        if (hasQid)
        {
            Consume(consumed, elementIndex);
            Kind = ScanResultElementKind.Detection;
            Detection = BuildDetection(qid, values, _rawTokens);
            Fields = EmptyFields;
            return Step.Element;
        }

        var summaryKey = present[(int)Field.Reference] ? Field.Reference
            : present[(int)Field.LaunchDate] ? Field.LaunchDate
            : present[(int)Field.ScanTitle] ? Field.ScanTitle : Field.Unknown;
        ScanResultElementKind kind;
        if (summaryKey != Field.Unknown)
        {
            if (_sawSummary)
            {
                // Two scan summaries: which scan the rows belong to would be a guess.
                throw ErrorAt(elementIndex, $"Element {elementIndex} is a second scan summary (it has \"{FieldNames[(int)summaryKey]}\"); a result has one.",
                    field: FieldNames[(int)summaryKey]);
            }

            kind = ScanResultElementKind.Summary;
        }
        else if (FirstRowKey(present) is { } rowKey)
        {
            // A detection row that lost its qid must not be passed over as a header or an appendix (fail closed).
            throw ErrorAt(elementIndex, $"Element {elementIndex} has the detection key \"{rowKey}\" but no \"qid\": a detection row without its qid cannot be judged.",
                field: "qid");
        }
        else
        {
            kind = ElementIndex < 0 ? ScanResultElementKind.Header : ScanResultElementKind.Appendix;
        }

        Consume(consumed, elementIndex);
        Kind = kind;
        Detection = null;
        Fields = BuildFields(values, present, _rawTokens, unknown);
        _sawSummary |= kind == ScanResultElementKind.Summary;
        _sawHeader |= kind == ScanResultElementKind.Header;
        return Step.Element;
    }

    private void Consume(int consumed, long elementIndex)
    {
        _position += consumed;
        BytePosition = _bufferOffset + _position;
        ElementIndex = elementIndex;
    }

    // Every json_extended result starts with its header and its scan summary: without either it is something else,
    // or a part of a result.
    private void RequireHeaderAndSummary()
    {
        if (ElementIndex < 0)
        {
            throw Error("The result is an empty array: no header, summary or detections.");
        }

        if (!_sawSummary)
        {
            throw Error("The result has no scan summary object (the json_extended element [1]); it is not a complete scan result.");
        }

        if (!_sawHeader)
        {
            throw Error("The result has no header object (the json_extended element [0], before the scan summary); it is not a complete scan result.");
        }
    }

    // The detection keys (all but "type", which the scan summary has too): an element without a qid that has one is a
    // detection row that lost its qid.
    private static string? FirstRowKey(bool[] present)
    {
        for (var i = (int)Field.Ip; i <= (int)Field.Category; i++)
        {
            if (present[i] && i != (int)Field.Type && i != (int)Field.Qid)
            {
                return FieldNames[i];
            }
        }

        return null;
    }

    // The element parser starts each element with empty value, presence and token slots.
    private static (string?[] Values, bool[] Present, byte[]?[] RawTokens) ClearSlots(string?[] values, bool[] present, byte[]?[] rawTokens)
    {
        Array.Clear(values);
        Array.Clear(present);
        Array.Clear(rawTokens);
        return (values, present, rawTokens);
    }

    private Step NeedMoreOrTruncated() => NeedMoreOr($"The result ends unexpectedly (truncated) inside element {ElementIndex + 1}.");

    private static Dictionary<string, string?> BuildFields(string?[] values, bool[] present, byte[]?[] rawTokens, List<KeyValuePair<string, string?>>? unknown)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < FieldCount; i++)
        {
            if (present[i])
            {
                // A text kept as its token (EvaluationFieldsOnly) is decoded here: header, summary and appendix are few.
                var token = rawTokens[i];
                fields[FieldNames[i]] = token is null ? values[i] : DecodeString(token, escaped: token.AsSpan().IndexOf((byte)'\\') >= 0);
            }
        }

        foreach (var (key, value) in unknown ?? [])
        {
            fields.Add(key, value);
        }

        return fields;
    }

    // Which texts are not materialised, which are kept as tokens, which are cached.
    private static bool IsSkipped(Field field, bool evaluationFieldsOnly, bool afterIgType) =>
        evaluationFieldsOnly && (afterIgType || IsUnusedByEvaluation(field));

    private static bool IsUnusedByEvaluation(Field field) => field is Field.Threat or Field.Impact or Field.VendorReference
        or Field.CvssTemporal or Field.Cvss3Temporal or Field.Fqdn or Field.Ssl or Field.IpStatus or Field.Instance;

    // Long or one-off texts: the repeated-value cache would only copy them.
    private static bool IsDistinctText(Field field) =>
        field is Field.Unknown or Field.Threat or Field.Impact or Field.Results or Field.Solution or Field.Title;

    // Texts the evaluation copies into its output or reads once on the judging thread: kept as tokens by the reader.
    private static bool IsKeptAsToken(Field field) =>
        field is Field.Results or Field.Solution or Field.Title or Field.CveId or Field.CvssBase or Field.Cvss3Base;

    private static bool IsInformationGathered(string? type) =>
        type is not null && type.AsSpan().Trim().Equals("Ig", StringComparison.OrdinalIgnoreCase);

    // A string value (checked by ScanString: valid UTF-8, valid escapes) is kept as its JSON token, quotes included,
    // when it can be copied into our output as is: without a \u escape, which the output would write otherwise.
    private static bool CanKeepToken(ReadOnlySpan<byte> text, bool escaped) => !escaped || text.IndexOf("\\u"u8) < 0;

    private static Detection BuildDetection(long qid, string?[] v, byte[]?[] raw) => new()
    {
        TitleJson = raw[(int)Field.Title],
        CveIdJson = raw[(int)Field.CveId],
        CvssBaseJson = raw[(int)Field.CvssBase],
        Cvss3BaseJson = raw[(int)Field.Cvss3Base],
        ResultsJson = raw[(int)Field.Results],
        SolutionJson = raw[(int)Field.Solution],
        Qid = qid,
        Ip = v[(int)Field.Ip],
        Dns = v[(int)Field.Dns],
        Netbios = v[(int)Field.Netbios],
        Os = v[(int)Field.Os],
        IpStatus = v[(int)Field.IpStatus],
        Title = v[(int)Field.Title],
        Type = v[(int)Field.Type],
        Severity = v[(int)Field.Severity],
        Port = v[(int)Field.Port],
        Protocol = v[(int)Field.Protocol],
        Fqdn = v[(int)Field.Fqdn],
        Ssl = v[(int)Field.Ssl],
        CveId = v[(int)Field.CveId],
        VendorReference = v[(int)Field.VendorReference],
        BugtraqId = v[(int)Field.BugtraqId],
        CvssBase = v[(int)Field.CvssBase],
        CvssTemporal = v[(int)Field.CvssTemporal],
        Cvss3Base = v[(int)Field.Cvss3Base],
        Cvss3Temporal = v[(int)Field.Cvss3Temporal],
        Threat = v[(int)Field.Threat],
        Impact = v[(int)Field.Impact],
        Solution = v[(int)Field.Solution],
        Exploitability = v[(int)Field.Exploitability],
        AssociatedMalware = v[(int)Field.AssociatedMalware],
        Results = v[(int)Field.Results],
        PciVuln = v[(int)Field.PciVuln],
        Instance = v[(int)Field.Instance],
        Category = v[(int)Field.Category],
    };

    // Returns the next non-whitespace byte at or after _position (advancing _position to it), or -1 when the
    // buffered data is exhausted.
    private int SkipWhitespace(bool allowBom)
    {
        if (allowBom && _bufferOffset == 0 && _position == 0)
        {
            if (_end < 3 && !_endOfStream)
            {
                return -1;
            }

            if (_end >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
            {
                _position = 3;
            }
        }

        _position = IndexAfterWhitespace(_position);
        return _position < _end ? _buffer[_position] : -1;
    }

    private int IndexAfterWhitespace(int index)
    {
        while (index < _end && _buffer[index] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            index++;
        }

        return index;
    }

    private string Preview()
    {
        var length = Math.Min(120, _end - _position);
        var text = Encoding.UTF8.GetString(_buffer, _position, Math.Max(0, length));
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) ? ' ' : c);
        }

        return "\"" + builder.ToString().Trim() + (length == 120 ? "…\"" : "\"");
    }

    private ScanResultFormatException Error(string message, Exception? inner = null, string? field = null) =>
        ErrorAt(ElementIndex + 1, message, inner, field);

    // The position is the read position (the start of the element being read) plus offset (where in it).
    private ScanResultFormatException ErrorAt(long elementIndex, string message, Exception? inner = null, string? field = null, int offset = 0)
    {
        var position = _bufferOffset + _position + offset;
        BytePosition = position;
        return new ScanResultFormatException($"{message} (at byte {position}, element {elementIndex})", position, elementIndex, inner) { Field = field };
    }
}
