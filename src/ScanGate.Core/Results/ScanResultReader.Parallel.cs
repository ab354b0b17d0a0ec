namespace ScanGate.Results;

// Parallel parsing (ParallelParsing). json_extended puts one element per line, and a newline byte can
// only be whitespace between tokens, never inside a string. So while this thread parses the first half of the
// buffered data, a worker parses the second half from a line start, speculatively: its detections are used only when
// this thread arrives exactly where the worker started (the split was an element boundary) and the worker met nothing
// but detections each followed by ','. Anything else (a header, summary or appendix, the end of the array, an element
// spread over lines, any error) discards the worker's work and this thread parses that part itself, so results and
// refusals are exactly those of the sequential parser.
public sealed partial class ScanResultReader
{
    private Fragment? _fragment;
    private FastElementParser? _workerParser;

    /// <summary>
    /// Parse ahead on a second thread (see above). For large results on machines with more than one core; the
    /// elements and refusals are the same as without it.
    /// </summary>
    public bool ParallelParsing { get; init; }

    /// <summary>The smallest part worth handing to the worker. Tests lower it to split small inputs many times.</summary>
    internal int FragmentMinimum { get; init; } = 64 * 1024;

    /// <summary>How many parts the worker parsed were used: tests check that the parallel path was taken.</summary>
    internal int FragmentsUsed { get; private set; }

    private void TryStartFragment()
    {
        var available = _end - _position;
        if (available < 3 * FragmentMinimum)
        {
            return;
        }

        var middle = _position + (available / 2);
        var newline = Array.IndexOf(_buffer, (byte)'\n', middle, _end - middle);
        if (newline < 0)
        {
            return;
        }

        var lastNewline = Array.LastIndexOf(_buffer, (byte)'\n', _end - 1, _end - newline);
        var start = IndexAfterWhitespace(newline + 1);
        var limit = lastNewline + 1;
        if (limit - start < FragmentMinimum || _buffer[start] != '{')
        {
            return;
        }

        _workerParser ??= new FastElementParser(
            new string?[FieldCount], new bool[FieldCount], new byte[]?[FieldCount], new RepeatedValueCache(FieldCount), EvaluationFieldsOnly);
        var fragment = new Fragment(_buffer, start, limit, _end);
        fragment.Task = Task.Run(() => ParseFragment(fragment, _workerParser));
        _fragment = fragment;
    }

    // Runs on the worker: detections from fragment.Start, each followed by ',', until the next would start at or
    // after fragment.Limit. False (the work is discarded) for anything else.
    private static bool ParseFragment(Fragment fragment, FastElementParser parser)
    {
        var data = fragment.Buffer.AsSpan(0, fragment.End);
        var position = fragment.Start;
        try
        {
            while (true)
            {
                position = SkipJsonWhitespace(data, position);
                if (position >= fragment.Limit)
                {
                    fragment.Stop = position;
                    return fragment.Detections.Count > 0;
                }

                if (data[position] != '{' || !parser.TryParse(data[position..], isFinalBlock: false) || !parser.HasQid)
                {
                    return false;
                }

                position += parser.Consumed;
                fragment.Detections.Add(BuildDetection(parser.Qid, parser.Values, parser.RawTokens));
                fragment.Ends.Add(position);
                position = SkipJsonWhitespace(data, position);
                if (position >= data.Length || data[position] != ',')
                {
                    return false;
                }

                position++;
            }
        }
#pragma warning disable CA1031 // Any failure only means "parse this part sequentially", which reports it properly.
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    private Step ServeFragment(Fragment fragment)
    {
        var index = fragment.Served++;
        Kind = ScanResultElementKind.Detection;
        Detection = fragment.Detections[index];
        Fields = EmptyFields;
        ElementIndex++;
        BytePosition = _bufferOffset + fragment.Ends[index];
        if (fragment.Served == fragment.Detections.Count)
        {
            // Continue after the worker's last ',' (its elements are all consumed).
            _position = fragment.Stop;
            _expectSeparator = false;
            _afterSeparator = true;
            _fragment = null;
        }

        return Step.Element;
    }

    private async ValueTask SettleFragmentAsync()
    {
        if (_fragment is { Splicing: false } pending)
        {
            await pending.Task.ConfigureAwait(false);
            _fragment = null;
        }
    }

    private sealed class Fragment(byte[] buffer, int start, int limit, int end)
    {
        public byte[] Buffer { get; } = buffer;

        /// <summary>Buffer index of the worker's first element.</summary>
        public int Start { get; } = start;

        /// <summary>The worker parses the elements that start before this index (just after the last newline).</summary>
        public int Limit { get; } = limit;

        /// <summary>The end of the buffered data when the worker started.</summary>
        public int End { get; } = end;

        public Task<bool> Task { get; set; } = System.Threading.Tasks.Task.FromResult(false);

        public List<Detection> Detections { get; } = [];

        public List<int> Ends { get; } = [];

        /// <summary>Buffer index where this thread continues after the worker's elements.</summary>
        public int Stop { get; set; }

        public int Served { get; set; }

        public bool Splicing { get; set; }
    }
}
