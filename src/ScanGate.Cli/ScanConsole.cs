using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Scanning;

namespace ScanGate.Cli;

public enum Verbosity
{
    Quiet,
    Normal,
    Verbose,
}

/// <summary>
/// Console output of a scan run. Progress goes to stderr: a live status line in a terminal, plain timestamped lines
/// otherwise (CI logs). The verdict summary goes to stdout. Server text is untrusted: control characters are
/// replaced so a response cannot drive the terminal. NO_COLOR (any value) turns colours off. An ending without a
/// judged result says "ERROR — no verdict", never "FAIL": a policy verdict is only ever the policy's.
/// </summary>
internal sealed class ScanConsole : IScanObserver
{
    private readonly CliContext _context;
    private readonly Verbosity _verbosity;
    private readonly bool _live;
    private readonly bool _color;
    private readonly Lock _gate = new();
    private bool _liveLineOpen;

    public ScanConsole(CliContext context, Verbosity verbosity)
    {
        _context = context;
        _verbosity = verbosity;
        _live = context.IsInteractive && verbosity != Verbosity.Quiet;
        _color = context.IsInteractive && context.Environment.GetVariable("NO_COLOR") is null;
    }

    public Verbosity Level => _verbosity;

    /// <summary>Called after each poll (tests use it to interrupt a run).</summary>
    public Action<QualysScan>? StatusHook { get; init; }

    public void Info(string message)
    {
        if (_verbosity != Verbosity.Quiet)
        {
            Line(message, null);
        }
    }

    public void Warning(string message) => Line("warning: " + message, "33");

    public void Detail(string message)
    {
        if (_verbosity == Verbosity.Verbose)
        {
            Line(message, "2");
        }
    }

    public void Error(string message) => Line("error: " + message, "31");

    public void Status(QualysScan status, TimeSpan sinceLaunch, TimeSpan timeout)
    {
        var text = $"Scan status: {status.State}{(status.SubState is null ? string.Empty : $" ({status.SubState})")}, {Format(sinceLaunch)} since launch (timeout {ScanLifecycle.FormatSpan(timeout)})";
        if (_live)
        {
            lock (_gate)
            {
                // Rewrite one line in place: progress without flooding the terminal.
                _context.Error.Write("\r\u001b[2K" + Clean(text));
                _context.Error.Flush();
                _liveLineOpen = true;
            }
        }
        else if (_verbosity != Verbosity.Quiet)
        {
            Line(text, null);
        }

        StatusHook?.Invoke(status);
    }

    /// <summary>The verdict and where the artifacts are, on stdout.</summary>
    public void Summary(ScanOutcome outcome)
    {
        CloseLiveLine();
        var output = _context.Out;
        if (outcome.Outcome.HasVerdict())
        {
            var (label, color) = outcome.Verdict switch
            {
                Verdict.Pass => ("PASS", "32"),
                Verdict.Warn => ("WARN", "33"),
                _ => ("FAIL", "31"),
            };
            output.WriteLine(Paint($"ScanGate verdict: {label} (exit {outcome.ExitCode})", color));
            output.WriteLine(Clean(outcome.Message));
        }
        else
        {
            // Nothing was judged: saying FAIL would blame the policy for a timeout or an API error.
            output.WriteLine(Paint($"ERROR — no verdict: {Clean(outcome.Message)} (exit {outcome.ExitCode}, outcome {outcome.Outcome.ToContractName()})", "31"));
        }
        if (_verbosity != Verbosity.Quiet)
        {
            if (outcome.SummaryText is { } summary)
            {
                foreach (var line in summary.TrimEnd().Split('\n'))
                {
                    output.WriteLine(Clean(line.TrimEnd('\r')));
                }
            }
            else
            {
                foreach (var reason in outcome.Reasons.Where(r => !string.Equals(r, outcome.Message, StringComparison.Ordinal)).Take(20))
                {
                    output.WriteLine("  - " + Clean(reason));
                }
            }

            var scan = outcome.Scan;
            if (scan.Reference is not null)
            {
                output.WriteLine($"Scan: {Clean(scan.Reference)}{(scan.Title is null ? string.Empty : $" '{Clean(scan.Title)}'")}{(scan.Target is null ? string.Empty : $" target {Clean(scan.Target)}")}, {scan.State ?? "unknown state"}, {scan.ApiCalls} API calls, {Format(TimeSpan.FromSeconds(scan.ElapsedSeconds ?? 0))}.");
            }

            if (outcome.ResultFile is not null && outcome.SummaryText is null)
            {
                output.WriteLine($"Result: {outcome.ResultFile}");
            }

            if (scan.ResultArtifact is not null && outcome.ResultFile is not null)
            {
                output.WriteLine($"Qualys result: {Path.Combine(Path.GetDirectoryName(outcome.ResultFile)!, scan.ResultArtifact)}");
            }
        }

        output.Flush();
    }

    public ILogger CreateLogger() => new ConsoleLogger(this);

    private void Line(string message, string? color)
    {
        lock (_gate)
        {
            CloseLiveLine();
            var stamp = _context.Time.GetUtcNow().UtcDateTime.ToString(_live ? "HH:mm:ss" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            _context.Error.WriteLine($"{stamp} {Paint(Clean(message), color)}");
            _context.Error.Flush();
        }
    }

    private void CloseLiveLine()
    {
        if (_liveLineOpen)
        {
            _context.Error.WriteLine();
            _liveLineOpen = false;
        }
    }

    private string Paint(string text, string? color) => _color && color is not null ? $"\u001b[{color}m{text}\u001b[0m" : text;

    public static string Format(TimeSpan span) =>
        span.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours}h{span.Minutes:00}m{span.Seconds:00}s")
            : string.Create(CultureInfo.InvariantCulture, $"{span.Minutes}m{span.Seconds:00}s");

    /// <summary>Replaces control characters (escape sequences from untrusted text) with '?', keeping tabs.</summary>
    public static string Clean(string text)
    {
        if (!text.Any(c => char.IsControl(c) && c != '\t'))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsControl(c) && c != '\t' ? (c is '\n' or '\r' ? ' ' : '?') : c);
        }

        return builder.ToString();
    }

    /// <summary>Client logs (retries at warning, calls at debug with --verbose) as console lines.</summary>
    private sealed class ConsoleLogger(ScanConsole console) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel >= (console._verbosity == Verbosity.Verbose ? LogLevel.Debug : LogLevel.Warning);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            if (logLevel >= LogLevel.Warning)
            {
                console.Line("qualys: " + message, "33");
            }
            else
            {
                console.Line("qualys: " + message, "2");
            }
        }
    }
}
