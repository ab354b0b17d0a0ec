using System.CommandLine;
using ScanGate.Configuration;
using ScanGate.Scanning;

namespace ScanGate.Cli;

/// <summary>Builds the production Qualys port and policy judge for a command. Temporary until client and policy land.</summary>
internal static class ScanServices
{
    public static IQualysScanPort CreatePort(CliContext context, QualysConnectionSettings connection, ScanConsole console, TimeSpan runTimeout) =>
        throw new ConfigurationException("The Qualys client is not part of this build yet.");

    public static IScanJudge CreateJudge(CliContext context, PolicyOptionsAdapter policy, ParseResult parseResult, ScanSettings settings) =>
        throw new ConfigurationException("The policy engine is not part of this build yet.");
}
