namespace ScanGate.Results;

/// <summary>
/// Streams a Qualys <c>json_extended</c> scan result: a JSON array (or the plugin artifact <c>{"data":[...], ...}</c>)
/// read element by element from a <see cref="Stream"/> without holding the body. Fails closed: an empty, truncated or
/// malformed input, XML in place of JSON, text that is not valid UTF-8 (anywhere, also in texts it does not
/// materialise), a key twice in an element, a detection row without <c>qid</c>, <c>type</c> or <c>severity</c>, or a
/// result without its header or its one scan summary throws <see cref="ScanResultFormatException"/> naming the element,
/// the byte and the key where it breaks; it never ends early as if the list were complete.
/// </summary>
/// <example>
/// <code>
/// await using var reader = new ScanResultReader(stream);
/// while (await reader.ReadAsync(ct))
/// {
///     if (reader.Kind == ScanResultElementKind.Detection) { Use(reader.Detection!); }
///     else { UseFields(reader.Kind, reader.Fields); }
/// }
/// </code>
/// </example>
public sealed partial class ScanResultReader : IAsyncDisposable
{
    /// <summary>Kind of the current element.</summary>
    public ScanResultElementKind Kind { get; private set; }

    /// <summary>The current detection when <see cref="Kind"/> is Detection; otherwise null.</summary>
    public Detection? Detection { get; private set; }

    /// <summary>
    /// The current element's keys and values when it is not a detection (header, summary, appendix). Values are the
    /// JSON strings, numbers as text, or null.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Fields { get; private set; } = EmptyFields;

    /// <summary>Zero-based index of the current element in the array.</summary>
    public long ElementIndex { get; private set; } = -1;

    /// <summary>Bytes consumed so far.</summary>
    public long BytePosition { get; private set; }

    private static readonly IReadOnlyDictionary<string, string?> EmptyFields =
        new Dictionary<string, string?>(StringComparer.Ordinal);
}
