using System.Runtime.InteropServices;

namespace ScanGate.Cli;

/// <summary>
/// SIGINT/SIGTERM for one running scan: cancels its token and remembers which signal it was (exit 130 or 143).
/// </summary>
internal sealed class ScanInterrupt : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private int _exitCode;

    public CancellationToken Token => _cts.Token;

    /// <summary>130 (SIGINT) or 143 (SIGTERM); null until a signal arrives.</summary>
    public int? ExitCode => _exitCode == 0 ? null : _exitCode;

    public void Raise(PosixSignal signal)
    {
        Interlocked.CompareExchange(ref _exitCode, signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted, 0);
        _cts.Cancel();
    }

    public void Dispose() => _cts.Dispose();
}

/// <summary>
/// The process's SIGINT/SIGTERM handlers. They are registered when the command tree is built, before
/// System.CommandLine registers its own, so they run first and record which signal arrived; a signal cancels every
/// active scan (which then cancels its Qualys scan and writes what it knows) and is swallowed only while one runs.
/// </summary>
internal static class SignalHub
{
    private static readonly Lock Gate = new();
    private static readonly List<ScanInterrupt> Active = [];
    private static PosixSignalRegistration? _interrupt;
    private static PosixSignalRegistration? _terminate;

    public static void EnsureRegistered()
    {
        lock (Gate)
        {
            if (_interrupt is not null)
            {
                return;
            }

            try
            {
                _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
                _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
            }
            catch (PlatformNotSupportedException)
            {
                // System.CommandLine's own handling still cancels the token; the exit code is then 130.
            }
        }
    }

    public static IDisposable Track(ScanInterrupt interrupt)
    {
        lock (Gate)
        {
            Active.Add(interrupt);
        }

        return new Untrack(interrupt);
    }

    private static void Handle(PosixSignalContext context)
    {
        ScanInterrupt[] active;
        lock (Gate)
        {
            active = [.. Active];
        }

        if (active.Length == 0)
        {
            return;
        }

        context.Cancel = true;
        foreach (var interrupt in active)
        {
            interrupt.Raise(context.Signal);
        }
    }

    private sealed class Untrack(ScanInterrupt interrupt) : IDisposable
    {
        public void Dispose()
        {
            lock (Gate)
            {
                Active.Remove(interrupt);
            }
        }
    }
}
