using ScanGate.Infrastructure;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Configuration;

/// <summary>The layers settings come from, highest precedence first.</summary>
public enum SettingLayer
{
    Flag,
    Environment,
    File,
}

/// <summary>One setting as found: its values, where it came from (for messages) and in which layer.</summary>
public sealed record Setting(string Key, IReadOnlyList<string> Values, string Source, SettingLayer Layer)
{
    /// <summary>The values joined with commas (one value for most keys).</summary>
    public string Value => string.Join(',', Values);
}

/// <summary>
/// Settings from three layers, highest first: command-line flags, environment variables, then the config file
/// (<c>--config FILE</c>, or <c>scangate.yml</c> in the working directory when present). Keys are snake_case
/// (<c>poll_interval</c>); the flag is <c>--poll-interval</c>, the variable <c>SCANGATE_POLL_INTERVAL</c> (Qualys
/// connection keys also read <c>QUALYS_PLATFORM</c>, <c>QUALYS_API_URL</c>, <c>QUALYS_USERNAME</c>). Settings that
/// exclude each other (a platform or an API URL; hosts or an EC2 instance) are one choice: the highest layer that
/// makes it wins (<see cref="FindChoice"/>).
/// </summary>
public sealed class ConfigurationLayers
{
    public const string DefaultFileName = "scangate.yml";

    /// <summary>The criteria keys: the snake_case names of the criteria flags of <c>scan</c>.</summary>
    public static readonly IReadOnlyList<string> CriteriaKeys =
    [
        "fail_on_severity", "fail_on_qids", "fail_on_cves", "fail_on_cvss2", "fail_on_cvss3", "fail_on_pci", "include_potential",
        "exclude_qids", "exclude_cves", "exceptions",
    ];

    /// <summary>Every key a config file may hold. Anything else is an error, never silently ignored.</summary>
    public static readonly IReadOnlySet<string> KnownKeys = new HashSet<string>(
        [
            "platform", "api_url", "username", "password_file", "proxy", "ca_cert",
            "host", "network_id", "ec2_instance", "ec2_connector", "run_connector", "ec2_region",
            "option_profile", "scanner", "scan_name", "poll_interval", "timeout", "on_host_down", "leave_running",
            "output_dir", "policy", .. CriteriaKeys,
        ],
        StringComparer.Ordinal);

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
        : this(flags, environment, workingDirectory, configFile, loadDefaultFile: true)
    {
    }

    private ConfigurationLayers(IReadOnlyDictionary<string, IReadOnlyList<string>> flags, IEnvironment environment, string workingDirectory, string? configFile, bool loadDefaultFile)
    {
        ArgumentNullException.ThrowIfNull(flags);
        ArgumentNullException.ThrowIfNull(environment);
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
        else if (loadDefaultFile)
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

    /// <summary>
    /// Only a config file's text, as if it were <paramref name="fileName"/> in <paramref name="workingDirectory"/>: no
    /// flags, no environment. <c>scangate init</c> checks the file it is about to write with it.
    /// </summary>
    public static ConfigurationLayers ForFileText(string text, string fileName, string workingDirectory)
    {
        var layers = new ConfigurationLayers(new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal), new DictionaryEnvironment(), workingDirectory, configFile: null, loadDefaultFile: false);
        layers.LoadFile(Path.GetFullPath(fileName, workingDirectory), new StringReader(text));
        return layers;
    }

    /// <summary>The value of a key and where it came from (for error messages), or null.</summary>
    public (string Value, string Source)? Get(string key) =>
        Find(key) is { } found ? (found.Value, found.Source) : null;

    public (IReadOnlyList<string> Values, string Source)? GetList(string key) =>
        Find(key) is { } found ? (found.Values, found.Source) : null;

    /// <summary>The key from its highest layer that has a value, or null.</summary>
    public Setting? Find(string key)
    {
        foreach (var layer in Enum.GetValues<SettingLayer>())
        {
            if (FindIn(layer, key) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// One choice made by any of <paramref name="keys"/> (a platform or an API URL): the settings of the highest layer
    /// that has any of them, so a flag's API URL replaces the file's platform. Empty when no layer has one; more than
    /// one setting when that layer gives several (the caller says "not both").
    /// </summary>
    public IReadOnlyList<Setting> FindChoice(params string[] keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var layer in Enum.GetValues<SettingLayer>())
        {
            var found = keys.Select(key => FindIn(layer, key)).OfType<Setting>().ToList();
            if (found.Count > 0)
            {
                return found;
            }
        }

        return [];
    }

    public bool GetBool(string key) => Find(key) is { } found && SettingRules.Boolean(found.Source, found.Value);

    /// <summary>A path from the file layer is relative to the file; otherwise to the working directory.</summary>
    public string ResolvePath(string key, string value)
    {
        var fromFile = ConfigFile is not null && Find(key) is { Layer: SettingLayer.File };
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

    private Setting? FindIn(SettingLayer layer, string key)
    {
        switch (layer)
        {
            case SettingLayer.Flag when _flags.TryGetValue(key, out var flag) && flag.Count > 0:
                return new Setting(key, flag, FlagName(key), layer);
            case SettingLayer.Environment:
                foreach (var variable in VariablesFor(key))
                {
                    if (_environment.GetVariable(variable) is { Length: > 0 } value)
                    {
                        return new Setting(key, [value], variable, layer);
                    }
                }

                return null;
            case SettingLayer.File when _file.TryGetValue(key, out var fromFile) && fromFile.Count > 0:
                return new Setting(key, fromFile, $"{Path.GetFileName(ConfigFile)}: {key}", layer);
            default:
                return null;
        }
    }

    private void LoadFile(string path)
    {
        using var reader = new StreamReader(path);
        LoadFile(path, reader);
    }

    private void LoadFile(string path, TextReader reader)
    {
        ConfigFile = path;
        var name = Path.GetFileName(path);
        YamlStream yaml = new();
        try
        {
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
                var closest = ClosestNames.Find(key, KnownKeys);
                var hint = closest.Count > 0 ? $"; did you mean {ClosestNames.JoinAlternatives(closest)}?" : ".";
                throw new ConfigurationException($"{name}: unknown key '{key}' (line {keyNode.Start.Line}){hint} Known keys: {string.Join(", ", KnownKeys.Order(StringComparer.Ordinal))}.");
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
