using System.Reflection;

namespace ScanGate;

/// <summary>Name and version of the tool, as shown in User-Agent, reports and --version.</summary>
public static class ToolInfo
{
    public const string Name = "ScanGate";

    public static string Version { get; } =
        typeof(ToolInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
