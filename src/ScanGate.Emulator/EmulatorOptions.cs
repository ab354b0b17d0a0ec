namespace ScanGate.Emulator;

/// <summary>How to start a <see cref="QualysEmulator"/>.</summary>
public sealed class EmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks any free port. The emulator never binds another interface.</summary>
    public int Port { get; set; }

    /// <summary>YAML scenario file; null (and no <see cref="ScenarioYaml"/>) uses the built-in default scenario.</summary>
    public string? ScenarioPath { get; set; }

    /// <summary>Inline YAML scenario (tests). Takes precedence over <see cref="ScenarioPath"/>.</summary>
    public string? ScenarioYaml { get; set; }

    /// <summary>Virtual-clock multiplier over <see cref="Time"/>: 10 makes a 60 s scan phase last 6 s.</summary>
    public double Speed { get; set; } = 1;

    /// <summary>Clock source; null = <see cref="TimeProvider.System"/>. Tests share a FakeTimeProvider with the client.</summary>
    public TimeProvider? Time { get; set; }

    /// <summary>
    /// Rate and concurrency limits for every API, replacing the scenario's <c>limits</c> (default and per path), e.g.
    /// 300 calls per 3600 s and 2 concurrent calls like a Standard subscription. Null keeps the scenario's.
    /// The window runs on the virtual clock.
    /// </summary>
    public LimitSpec? Limits { get; set; }
}
