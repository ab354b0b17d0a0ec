using ScanGate.Cli;

return await ScanGateCli.RunAsync(args, CliContext.CreateDefault()).ConfigureAwait(false);
