namespace ScanGate.Policy;

/// <summary>A policy, flag or exceptions entry that cannot be used. The message names the field and the value (exit 2).</summary>
public sealed class PolicyConfigurationException : ScanGateException
{
    public PolicyConfigurationException()
        : base("Bad policy.")
    {
    }

    public PolicyConfigurationException(string message)
        : base(message)
    {
    }

    public PolicyConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public override Outcome Outcome => Outcome.UsageError;
}

/// <summary>
/// A counted detection row whose value the policy cannot judge (unknown type, severity outside 1–5, a CVSS value that
/// is not a score while a CVSS rule is set). Failing closed: such a result is never a pass.
/// </summary>
public sealed class DetectionValueException : Exception
{
    public DetectionValueException()
    {
    }

    public DetectionValueException(string message)
        : base(message)
    {
    }

    public DetectionValueException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
