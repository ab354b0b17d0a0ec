namespace ScanGate.Infrastructure;

/// <summary>
/// The seam for process environment variables, so tests never depend on the real environment.
/// </summary>
public interface IEnvironment
{
    string? GetVariable(string name);
}

/// <summary>Reads the real process environment.</summary>
public sealed class ProcessEnvironment : IEnvironment
{
    public static readonly ProcessEnvironment Instance = new();

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>An in-memory environment for tests and embedded runs.</summary>
public sealed class DictionaryEnvironment : IEnvironment
{
    private readonly Dictionary<string, string> _variables;

    public DictionaryEnvironment(IDictionary<string, string>? variables = null)
    {
        _variables = new Dictionary<string, string>(variables ?? new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public string? this[string name]
    {
        get => GetVariable(name);
        set
        {
            if (value is null)
            {
                _variables.Remove(name);
            }
            else
            {
                _variables[name] = value;
            }
        }
    }

    public string? GetVariable(string name) => _variables.TryGetValue(name, out var value) ? value : null;
}
