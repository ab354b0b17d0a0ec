namespace ScanGate.Results;

/// <summary>What one element of a <c>json_extended</c> array is.</summary>
public enum ScanResultElementKind
{
    /// <summary>Element [0]: the report header (user, company, <c>scan_report_template_title</c>).</summary>
    Header,

    /// <summary>Element [1]: the scan summary (<c>reference</c>, <c>launch_date</c>, <c>status</c>, ...).</summary>
    Summary,

    /// <summary>A detection row: an object with a <c>qid</c>.</summary>
    Detection,

    /// <summary>A trailing object such as <c>target_distribution_across_scanner_appliances</c> or <c>hosts_not_scanned_*</c>.</summary>
    Appendix,
}

/// <summary>
/// Raised when a result is not a complete <c>json_extended</c> array. The message says where it breaks: the element, the
/// byte and, when the problem is one key (a duplicate, a missing <c>severity</c>, invalid UTF-8 in <c>threat</c>), the key.
/// </summary>
public sealed class ScanResultFormatException : Exception
{
    public ScanResultFormatException(string message, long bytePosition, long elementIndex, Exception? inner = null)
        : base(message, inner)
    {
        BytePosition = bytePosition;
        ElementIndex = elementIndex;
    }

    public ScanResultFormatException()
    {
    }

    public ScanResultFormatException(string message)
        : base(message)
    {
    }

    public ScanResultFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Offset in bytes from the start of the input where the problem was found.</summary>
    public long BytePosition { get; }

    /// <summary>Zero-based index of the array element being read.</summary>
    public long ElementIndex { get; }

    /// <summary>The key of the element the problem concerns (<c>severity</c>, <c>threat</c>, ...), when it concerns one.</summary>
    public string? Field { get; init; }
}
