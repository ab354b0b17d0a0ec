namespace ScanGate.Emulator;

internal sealed partial class Handlers
{
    private Task KnowledgeBaseAsync(Req req) => MissingAction(req, "list");
    private Task OptionProfilesAsync(Req req, bool pci) => MissingAction(req, "list");
    private Task AppliancesAsync(Req req) => MissingAction(req, "list");
    private Task NetworksAsync(Req req) => MissingAction(req, "list");
    private Task HostDetectionAsync(Req req) => MissingAction(req, "list");
    public Task QpsAsync(Req req) => state is null ? Task.CompletedTask : QpsErrorAsync(req, "INVALID_REQUEST", "x", "y");
    private static Task QpsErrorAsync(Req req, string code, string message, string resolution) => Respond.Text(req.Http, 200, "application/xml", code + message + resolution);
}
