using ScanGate.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Configuration;

/// <summary>
/// Settings from three layers, highest first: command-line flags, environment variables, then the config file
/// (<c>--config FILE</c>, or <c>scangate.yml</c> in the working directory when present). Keys are snake_case
/// (<c>poll_interval</c>); the flag is <c>--poll-interval</c>, the variable <c>SCANGATE_POLL_INTERVAL</c> (Qualys
/// connection keys also read <c>QUALYS_PLATFORM</c>, <c>QUALYS_API_URL</c>, <c>QUALYS_USERNAME</c>).
/// </summary>
public sealed class ConfigurationLayers
{
    public const string DefaultFileName = "scangate.yml";

    /// <summary>Every key a config file may hold. Anything else is an error, never silently ignored.</summary>
    public static readonly IReadOnlySet<string> KnownKeys = new HashSet<string>(StringComparer.Ordinal)
    {
        "platform", "api_url", "username", "password_file", "proxy", "ca_cert",
        "host", "network_id", "ec2_instance", "ec2_connector", "run_connector", "ec2_region",
        "option_profile", "scanner", "scan_name", "poll_interval", "timeout", "on_host_down", "leave_running",
        "output_dir", "policy",
    };

    private static readonly Dictionary<string, string> QualysVariables = new(StringComparer.Ordinal)
    {
        ["platform"] = "QUALYS_PLATFORM",
        ["api_url"] = "QUALYS_API_URL",
        ["username"] = "QUALYS_USERNAME",
    };

    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _flags;
    private readonly IEnvironment _environment;
    private readonly Dictionary<string, IReadOnlyList<string>> _file = new(StringComparer.Ordinal);

    public ConfigurationLayers(IReadOnlyDictionary<string, IReadOnlyList<string>> flags, IEnvironment environment, string workingDirectory, string? configFile)
    {
        _flags = flags;
        _environment = environment;
        WorkingDirectory = workingDirectory;
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile, workingDirectory);
            if (!File.Exists(path))
            {
                throw new ConfigurationException("--config", configFile, "file not found.");
            }

            LoadFile(path);
        }
        else
        {
            var path = Path.Combine(workingDirectory, DefaultFileName);
            if (File.Exists(path))
            {
                LoadFile(path);
            }
        }
    }

    public string WorkingDirectory { get; }

    /// <summary>The config file read, or null.</summary>
    public string? ConfigFile { get; private set; }

    public IEnvironment Environment => _environment;

    /// <summary>The value of a key and where it came from (for error messages), or null.</summary>
    public (string Value, string Source)? Get(string key) =>
        GetList(key) is { } list ? (string.Join(',', list.Values), list.Source) : null;

    public (IReadOnlyList<string> Values, string Source)? GetList(string key)
    {
        if (_flags.TryGetValue(key, out var flag) && flag.Count > 0)
        {
            return (flag, FlagName(key));
        }

        foreach (var variable in VariablesFor(key))
        {
            if (_environment.GetVariable(variable) is { Length: > 0 } value)
            {
                return ([value], variable);
            }
        }

        if (_file.TryGetValue(key, out var fromFile) && fromFile.Count > 0)
        {
            return (fromFile, $"{Path.GetFileName(ConfigFile)}: {key}");
        }

        return null;
    }

    public bool GetBool(string key)
    {
        if (Get(key) is not { } found)
        {
            return false;
        }

        return found.Value.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new ConfigurationException(found.Source, found.Value, "not a boolean; use true or false."),
        };
    }

    /// <summary>A path from the file layer is relative to the file; otherwise to the working directory.</summary>
    public string ResolvePath(string key, string value)
    {
        var fromFile = ConfigFile is not null && Get(key) is { } found && found.Source.EndsWith(": " + key, StringComparison.Ordinal);
        var baseDirectory = fromFile ? Path.GetDirectoryName(ConfigFile)! : WorkingDirectory;
        return Path.GetFullPath(value, baseDirectory);
    }

    public static string FlagName(string key) => "--" + key.Replace('_', '-');

    public static IEnumerable<string> VariablesFor(string key)
    {
        if (QualysVariables.TryGetValue(key, out var qualys))
        {
            yield return qualys;
        }

        yield return "SCANGATE_" + key.ToUpperInvariant();
    }

    private void LoadFile(string path)
    {
        ConfigFile = path;
        var name = Path.GetFileName(path);
        YamlStream yaml = new();
        try
        {
            using var reader = new StreamReader(path);
            yaml.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ConfigurationException($"{name} line {ex.Start.Line}: not valid YAML ({ex.Message}).", ex);
        }

        if (yaml.Documents.Count == 0)
        {
            return;
        }

        if (yaml.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{name}: the top level must be a mapping of settings (key: value).");
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            if (key is "password")
            {
                throw new ConfigurationException($"{name}: password: a password never goes in a config file; use QUALYS_PASSWORD, --password-file or --password-stdin.");
            }

            if (!KnownKeys.Contains(key))
            {
                throw new ConfigurationException($"{name}: unknown key '{key}' (line {keyNode.Start.Line}). Known keys: {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))}.");
            }

            _file[key] = valueNode switch
            {
                YamlScalarNode scalar => scalar.Value is null or "" ? [] : [scalar.Value],
                YamlSequenceNode sequence when sequence.Children.All(c => c is YamlScalarNode) =>
                    sequence.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty).ToList(),
                _ => throw new ConfigurationException($"{name}: {key} (line {valueNode.Start.Line}) must be a value or a list of values."),
            };
        }
    }
}
