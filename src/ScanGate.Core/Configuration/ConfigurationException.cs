namespace ScanGate.Configuration;

/// <summary>Bad configuration (exit code 2). The message names the field and the value (never a secret's value).</summary>
public sealed class ConfigurationException : ScanGateException
{
    public ConfigurationException(string field, string? value, string problem, Exception? inner = null)
        : base(value is null ? $"{field}: {problem}" : $"{field} '{value}': {problem}", inner)
    {
        Field = field;
    }

    public ConfigurationException()
        : base("Bad configuration.")
    {
    }

    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public override Outcome Outcome => Outcome.UsageError;

    /// <summary>The flag (or config key) at fault, e.g. <c>--poll-interval</c>.</summary>
    public string? Field { get; }
}
