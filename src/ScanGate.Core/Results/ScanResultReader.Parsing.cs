namespace ScanGate.Results;

// Placeholder: the streaming parser lands in main shortly; the public API above is fixed.
public sealed partial class ScanResultReader
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;

    /// <param name="stream">The result body or file; read forward only.</param>
    /// <param name="leaveOpen">When false (the default) disposing the reader disposes the stream.</param>
    public ScanResultReader(Stream stream, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Advances to the next element; false once the array (and its wrapper) closed properly.</summary>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("ScanResultReader is not built yet.");

    public async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync();
        }
    }
}
