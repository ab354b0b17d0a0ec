using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Time.Testing;

namespace ScanGate.Emulator.Tests;

/// <summary>An in-process emulator on 127.0.0.1:0 with a fake clock, and an HTTP client logged in as demo/demo.</summary>
internal sealed class EmulatorFixture : IAsyncDisposable
{
    private EmulatorFixture(QualysEmulator emulator, FakeTimeProvider time, HttpClient client)
    {
        Emulator = emulator;
        Time = time;
        Client = client;
    }

    public QualysEmulator Emulator { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public EmulatorState State => Emulator.State;

    public static async Task<EmulatorFixture> StartAsync(string? yaml = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));
        var emulator = await QualysEmulator.StartAsync(new EmulatorOptions { ScenarioYaml = yaml, Time = time }, TestContext.Current.CancellationToken);
        var client = new HttpClient { BaseAddress = emulator.BaseUrl };
        client.DefaultRequestHeaders.Authorization = Basic("demo", "demo");
        client.DefaultRequestHeaders.Add("X-Requested-With", "ScanGate tests");
        return new EmulatorFixture(emulator, time, client);
    }

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    public Task<HttpResponseMessage> PostAsync(string pathAndQuery) =>
        Client.PostAsync(pathAndQuery, null, TestContext.Current.CancellationToken);

    public Task<HttpResponseMessage> GetAsync(string pathAndQuery) =>
        Client.GetAsync(pathAndQuery, TestContext.Current.CancellationToken);

    public async Task<string> LaunchAsync(string ip = "192.0.2.10")
    {
        using var response = await PostAsync($"api/2.0/fo/scan/?action=launch&scan_title=t&option_title=Initial+Options&ip={ip}");
        var doc = await ReadXmlAsync(response);
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, doc.ToString());
        return doc.Descendants("ITEM").Single(i => (string?)i.Element("KEY") == "REFERENCE").Element("VALUE")!.Value;
    }

    public async Task<XElement?> ScanAsync(string scanRef)
    {
        using var response = await GetAsync($"api/2.0/fo/scan/?action=list&scan_ref={scanRef}");
        var doc = await ReadXmlAsync(response);
        return doc.Descendants("SCAN").SingleOrDefault();
    }

    public async Task<string> StateAsync(string scanRef) => (await ScanAsync(scanRef))!.Element("STATUS")!.Element("STATE")!.Value;

    public void Advance(double seconds) => Time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>Parses XML safely (DTD ignored, no resolver), as a client must.</summary>
    public static async Task<XDocument> ReadXmlAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ParseXml(text);
    }

    public static XDocument ParseXml(string text)
    {
        var settings = new System.Xml.XmlReaderSettings { DtdProcessing = System.Xml.DtdProcessing.Ignore, XmlResolver = null };
        using var reader = System.Xml.XmlReader.Create(new StringReader(text), settings);
        return XDocument.Load(reader);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Emulator.DisposeAsync();
    }
}
