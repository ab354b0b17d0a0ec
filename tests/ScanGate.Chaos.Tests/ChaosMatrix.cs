using ScanGate.Chaos.Tests.FakeQualys;

namespace ScanGate.Chaos.Tests;

/// <summary>What a case must end with: the allowed exit codes and whether ScanGate must (or must not) cancel.</summary>
internal sealed record ChaosExpectation(IReadOnlyList<int> ExitCodes, bool CancelSent)
{
    /// <summary>The expectation of a fault by its ending and the phase it hits.</summary>
    public static ChaosExpectation For(Phase phase, Fault fault) => For(phase, fault.Ending, fault.Processes);

    /// <param name="phase">Where the fault hits.</param>
    /// <param name="ending">How it ends a run.</param>
    /// <param name="processes">Whether the server carries the request out before spoiling the answer.</param>
    public static ChaosExpectation For(Phase phase, FaultEnding ending, bool processes) => (phase, ending) switch
    {
        // A launch carried out whose answer was lost or spoilt: the scan is found by its title, then judged.
        (Phase.Launch, FaultEnding.Refused) when processes => new([ScanGate.ExitCodes.PolicyFail], CancelSent: false),
        // A run that is already ending (the deadline passed) keeps exit 5 whatever the cancel meets; the cancel was tried.
        (Phase.Cancel, _) => new([ScanGate.ExitCodes.Timeout], CancelSent: true),
        (_, FaultEnding.Sigint) => new([ScanGate.ExitCodes.Interrupted], CancelSent: phase is Phase.Launch or Phase.Poll),
        (_, FaultEnding.Sigterm) => new([ScanGate.ExitCodes.Terminated], CancelSent: phase is Phase.Launch or Phase.Poll),
        (_, FaultEnding.Hang) => new([ScanGate.ExitCodes.Timeout], CancelSent: phase is Phase.Poll),
        // A user who may not read the lists leaves the names to Qualys: the run goes on to the judged result.
        (Phase.Names, FaultEnding.NotPermitted) => new([ScanGate.ExitCodes.PolicyFail], CancelSent: false),
        (Phase.Launch, FaultEnding.RefusedName) => new([ScanGate.ExitCodes.Usage], CancelSent: false),
        // After launch, a run that gives up cancels the scan; before launch there is none; after Finished nothing to cancel.
        _ => new([ScanGate.ExitCodes.ApiError], CancelSent: phase is Phase.Poll),
    };
}

/// <summary>A scan state the polls show (every documented state of the scan list, plus ones Qualys has not documented).</summary>
internal sealed record ScanStateCase(string State, string? SubState, int ExitCode, bool CancelSent);

/// <summary>
/// A result body that is not a complete result of the scan asked for, and the exit code it must give. The shapes
/// (summary status other than Finished, hosts_not_scanned for a target, another reference, a row without qid,
/// duplicate keys, invalid UTF-8) are being built on the model and results branches; the lead adds them to
/// <see cref="ChaosMatrix.IncompleteResultShapes"/> after the merge, one line each.
/// </summary>
internal sealed record ResultShape(string Name, string Body, int ExitCode);

/// <summary>
/// The chaos matrix: every phase × every fault kind (<see cref="Faults.All"/>), every scan state, every incomplete
/// result shape, against the fake Qualys; and every emulator fault kind at every phase. A new fault, state or shape
/// is one line in its table.
/// </summary>
internal static class ChaosMatrix
{
    /// <summary>The run's --timeout in the fake-Qualys cases (fake time: it costs nothing).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<ScanStateCase> ScanStates { get; } =
    [
        new("Submitted", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Queued", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Running", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Paused", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Loading", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Running", "Canceling", ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Interrupted", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Exploded", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("", null, ScanGate.ExitCodes.Timeout, CancelSent: true),
        new("Finished", null, ScanGate.ExitCodes.PolicyFail, CancelSent: false),
        new("Finished", "No_Vuln", ScanGate.ExitCodes.PolicyFail, CancelSent: false),
        new("finished", null, ScanGate.ExitCodes.PolicyFail, CancelSent: false),
        new("Finished", "No_Host", ScanGate.ExitCodes.NoResult, CancelSent: false),
        new("Error", null, ScanGate.ExitCodes.NoResult, CancelSent: false),
        new("Error", "Scanner_Unavailable", ScanGate.ExitCodes.NoResult, CancelSent: false),
        new("Canceled", null, ScanGate.ExitCodes.NoResult, CancelSent: false),
        new("Cancelled", null, ScanGate.ExitCodes.NoResult, CancelSent: false),
    ];

    /// <summary>Filled in by the lead after merging the model and results branches (see <see cref="ResultShape"/>).</summary>
    public static IReadOnlyList<ResultShape> IncompleteResultShapes { get; } =
    [
    ];

    /// <summary>Every phase × fault case, by name ("Poll: reset mid-body").</summary>
    public static IReadOnlyDictionary<string, (Phase Phase, Fault Fault)> FaultCases { get; } =
        Enum.GetValues<Phase>()
            .SelectMany(phase => Faults.All.Where(f => f.Phases is null || f.Phases.Contains(phase)).Select(f => (Phase: phase, Fault: f)))
            .ToDictionary(c => $"{c.Phase}: {c.Fault.Name}", c => c, StringComparer.Ordinal);

    public static IEnumerable<string> FaultCaseNames(Phase phase) =>
        FaultCases.Where(c => c.Value.Phase == phase).Select(c => c.Key);
}
