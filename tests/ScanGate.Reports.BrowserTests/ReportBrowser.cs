using Microsoft.Playwright;

namespace ScanGate.Reports.BrowserTests;

/// <summary>
/// Debian's chromium driven by Playwright (never <c>playwright install</c>): headless, no network features, a fresh
/// profile per session. Records every request the page makes and every CSP violation it reports.
/// </summary>
internal sealed class ReportBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private ReportBrowser(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        Context = context;
        Page = page;
        _profile = profile;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    public List<string> Requests { get; } = [];

    public List<string> PageErrors { get; } = [];

    /// <summary>
    /// Starts chromium. <paramref name="bypassCsp"/> switches the page's CSP off, so a test can prove the escaping
    /// alone keeps payloads inert (with CSP on, an injected script would be blocked and hide an escaping bug).
    /// </summary>
    public static async Task<ReportBrowser> StartAsync(bool bypassCsp)
    {
        File.Exists(ChromiumPath).ShouldBeTrue($"{ChromiumPath} is missing: run .ci/steps/install-reports.sh (apt-get install chromium).");
        var profile = Directory.CreateTempSubdirectory("scangate-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = Args,
            BypassCSP = bypassCsp,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            DeviceScaleFactor = 1,
            Offline = true,
            ColorScheme = ColorScheme.Light,
            Locale = "en-US",
            TimezoneId = "UTC",
        });

        // Runs before the report's own script: collects CSP violations the page reports.
        await context.AddInitScriptAsync("window.__cspViolations = []; document.addEventListener('securitypolicyviolation', function (e) { window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });");
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var browser = new ReportBrowser(playwright, context, page, profile);
        page.Request += (_, request) => browser.Requests.Add(request.Url);
        page.PageError += (_, error) => browser.PageErrors.Add(error);
        return browser;
    }

    public async Task OpenAsync(string htmlPath)
    {
        await Page.GotoAsync(new Uri(htmlPath).AbsoluteUri);
        await Page.WaitForSelectorAsync("#fbody tr.finding");
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still hold a lock file for a moment; the temp folder is cleaned by the OS.
        }
    }
}
