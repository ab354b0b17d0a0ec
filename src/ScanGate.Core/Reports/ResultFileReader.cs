using System.Text.Json;
using ScanGate.Infrastructure;

namespace ScanGate.Reports;

/// <summary>
/// Streams a <c>scangate-result.json</c>: <c>OpenAsync</c> reads the small header (every key before
/// <c>findings</c>), then <see cref="ReadFinding"/> returns one finding at a time, so a result of any size is rendered
/// with memory bounded by its largest finding. Fails closed: an empty, truncated, malformed or unsupported file throws
/// <see cref="ResultFileException"/> naming the field and byte position; it never ends early as if complete.
/// </summary>
public sealed class ResultFileReader : IDisposable
{
    internal static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict,
    };

    private const int InitialBuffer = 64 * 1024;
    private TryTokenHandler<Finding?>? _tryReadFinding;
    private readonly Stream _stream;
    private readonly string _name;
    private byte[] _buffer = new byte[InitialBuffer];
    private int _start;
    private int _end;
    private bool _final;
    private long _consumedBefore;
    private JsonReaderState _state;
    private bool _findingsDone;

    private ResultFileReader(Stream stream, string name)
    {
        _stream = stream;
        _name = name;
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
    }

    public ResultHeader Header { get; private set; } = new();

    /// <summary>Size of the read buffer: it grows only to the largest single value, never to the file.</summary>
    internal int BufferSize => _buffer.Length;

    /// <summary>Findings returned so far.</summary>
    public long FindingIndex { get; private set; }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public static Task<ResultFileReader> OpenAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ResultFileException($"Cannot read result file '{path}': {e.Message}", e);
        }

        return OpenAsync(stream, path, cancellationToken);
    }

    /// <summary>Reads the header of a result from <paramref name="stream"/> (owned and disposed by the reader).</summary>
    public static Task<ResultFileReader> OpenAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        var reader = new ResultFileReader(stream, name);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            reader.ReadHeader();
            return Task.FromResult(reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The next finding, or null after the last one (the rest of the file is then checked to be complete).</summary>
    public Finding? ReadFinding()
    {
        if (_findingsDone)
        {
            return null;
        }

        // One pass per finding (FindingReader): an object cut by the end of the buffer is read again after a refill.
        var finding = Next(wholeValue: false, _tryReadFinding ??= TryReadFinding);

        if (finding is null)
        {
            _findingsDone = true;
            ReadTail();
            return null;
        }

        FindingIndex++;
        return finding;
    }

    /// <summary>Enumerates the remaining findings.</summary>
    public IEnumerable<Finding> ReadFindings(CancellationToken cancellationToken)
    {
        // Report writers stream findings: keep their footprint flat on large results (see Gen0Limiter). A smaller
        // budget than the evaluation's: reports often run in the same process right after it, on top of its heap.
        var gen0Limiter = new Gen0Limiter(budget: 12L << 20);
        while (ReadFinding() is { } finding)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if ((FindingIndex & 255) == 0)
            {
                gen0Limiter.Check();
            }

            yield return finding;
        }
    }

    public void Dispose() => _stream.Dispose();

    private static string Describe(string? path) => string.IsNullOrEmpty(path) || string.Equals(path, "$", StringComparison.Ordinal) ? "" : path.TrimStart('$');

    private void ReadHeader()
    {
        Next(wholeValue: false, (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.StartObject
            ? 0
            : throw Error($"expected a JSON object at the top level, found {r.TokenType}"));

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (true)
        {
            var name = Next(wholeValue: false, (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.PropertyName ? r.GetString() : null);
            if (name is null)
            {
                throw Error("the result has no 'findings' array (truncated or not a scangate-result.json)");
            }

            if (string.Equals(name, "findings", StringComparison.Ordinal))
            {
                Next(wholeValue: false, (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.StartArray
                    ? 0
                    : throw Error($"findings: expected an array, found {r.TokenType}"));
                break;
            }

            var value = Next(wholeValue: true, (ref Utf8JsonReader r) => JsonElement.ParseValue(ref r));
            fields[name] = value;
        }

        Header = HeaderParser.Parse(fields, _name);
    }

    private void ReadTail()
    {
        // Keys after findings are not in schema version 1: skip them, but insist the object is complete.
        while (true)
        {
            var name = Next(wholeValue: false, (ref Utf8JsonReader r) => r.TokenType == JsonTokenType.PropertyName ? r.GetString() : null);
            if (name is null)
            {
                break;
            }

            Next(wholeValue: true, (ref Utf8JsonReader r) => r.TrySkip());
        }

        // Anything but whitespace after the closing brace is an error.
        while (true)
        {
            for (var i = _start; i < _end; i++)
            {
                if (_buffer[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                {
                    throw Error("unexpected content after the end of the result object");
                }
            }

            if (_final)
            {
                return;
            }

            _start = _end;
            Refill();
        }
    }

    // The findings[] element at the reader's token: null at the end of the array; false when the buffer ends first.
    private bool TryReadFinding(ref Utf8JsonReader reader, out Finding? finding)
    {
        finding = null;
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            return true;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Error($"findings[{FindingIndex}]: expected an object, found {reader.TokenType}");
        }

        try
        {
            return FindingReader.TryRead(ref reader, out finding);
        }
        catch (JsonException e)
        {
            throw Error($"findings[{FindingIndex}]{Describe(e.Path)}: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw Error($"findings[{FindingIndex}]: {e.Message}", e);
        }
    }

    private delegate T TokenHandler<T>(ref Utf8JsonReader reader);

    private delegate bool TryTokenHandler<T>(ref Utf8JsonReader reader, out T value);

    /// <summary>
    /// Reads the next token and hands the reader to <paramref name="handler"/>, which consumes it (and, when
    /// <paramref name="wholeValue"/>, the whole value it starts, which is buffered first).
    /// </summary>
    private T Next<T>(bool wholeValue, TokenHandler<T> handler) =>
        Next(wholeValue, (ref Utf8JsonReader reader, out T value) =>
        {
            value = handler(ref reader);
            return true;
        });

    /// <summary>
    /// As above, for a handler that reads on itself and may run out of buffered data: it returns false, and the same
    /// token is read again after a refill.
    /// </summary>
    private T Next<T>(bool wholeValue, TryTokenHandler<T> handler)
    {
        while (true)
        {
            if (_final && _consumedBefore + _end == 0)
            {
                throw Error("the file is empty (not a scangate-result.json)");
            }

            var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _final, _state);
            bool ready;
            try
            {
                ready = reader.Read();
                if (ready && wholeValue)
                {
                    var probe = reader;
                    ready = probe.TrySkip();
                }
            }
            catch (JsonException e)
            {
                throw Error($"malformed JSON: {e.Message}", e);
            }

            if (ready && handler(ref reader, out var result))
            {
                _start += (int)reader.BytesConsumed;
                _state = reader.CurrentState;
                return result;
            }

            if (_final)
            {
                throw Error("the file ends before the result is complete (truncated)");
            }

            Refill();
        }
    }

    private void Refill()
    {
        if (_start > 0)
        {
            _consumedBefore += _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _final = true;
        }

        _end += read;
    }

    private ResultFileException Error(string message, Exception? inner = null) =>
        new($"{_name}: {message} (near byte {_consumedBefore + _start}).", inner);
}

/// <summary>A result file that is missing, malformed, truncated or of an unsupported schema (usage error, exit 2).</summary>
public sealed class ResultFileException : Exception
{
    public ResultFileException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public ResultFileException()
    {
    }

    public ResultFileException(string message)
        : base(message)
    {
    }
}
