using System.CommandLine;

namespace ScanGate.Cli;

/// <summary>The criteria flags of <c>scan</c> (the same as <c>evaluate</c>'s). Temporary until the policy engine lands.</summary>
internal sealed class PolicyOptionsAdapter
{
    public Option<string?> Policy { get; } = new("--policy") { Description = "Policy file (YAML or JSON).", HelpName = "FILE" };

    public void AddTo(Command command) => command.Options.Add(Policy);

    public string? PolicyFile(ParseResult parseResult) => parseResult.GetValue(Policy);
}
