using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ScanGate.Emulator;

/// <summary>The Qualys endpoints. Split by area across partial files.</summary>
internal sealed partial class Handlers(EmulatorState state)
{
    public const string ConnectorFaultKey = "scangate.connectorFault";

    private Scenario Scenario => state.Scenario;

    private DateTimeOffset Now => state.Clock.Now;

    // ---- Authentication -------------------------------------------------------------------------------------------

    private ScenarioUser? CheckBasic(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return null;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : CheckPassword(decoded[..colon], decoded[(colon + 1)..]);
    }

    private ScenarioUser? CheckPassword(string? username, string? password)
    {
        if (username is null || password is null)
        {
            return null;
        }

        var user = Scenario.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.Ordinal));
        if (user?.Password is null)
        {
            return null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(user.Password), Encoding.UTF8.GetBytes(password)) ? user : null;
    }

    private string AccountState(string username)
    {
        lock (state.Sync)
        {
            return state.AccountStates.GetValueOrDefault(username, "active");
        }
    }

    public async Task<bool> FoAuthenticateAsync(Req req)
    {
        var user = CheckBasic(req.Http)?.Username;
        if (user is null && req.Path.Contains("/2.0/", StringComparison.Ordinal)
            && req.Http.Request.Cookies.TryGetValue("QualysSession", out var session))
        {
            lock (state.Sync)
            {
                user = state.Sessions.GetValueOrDefault(session);
            }
        }

        if (user is null)
        {
            await AccountErrorAsync(req, "2000").ConfigureAwait(false);
            return false;
        }

        var refusal = AccountState(user) switch
        {
            "expired" => "2001",
            "inactive" => "2002",
            "registration_pending" => "2003",
            "license" => "2012",
            _ => null,
        };
        if (refusal is not null)
        {
            await AccountErrorAsync(req, refusal).ConfigureAwait(false);
            return false;
        }

        req.User = user;
        return true;
    }

    /// <summary>An authentication or account error, as recorded: <c>text/xml;charset=UTF-8</c>, with its prolog (not a 400).</summary>
    internal Task AccountErrorAsync(Req req, string code, string? text = null)
    {
        var error = ErrorCodes.Get(code);
        return Respond.SimpleReturn(req, error.Status, error.Code, text ?? error.Text, now: Now, contentType: Respond.AuthErrorContentType);
    }

    public async Task<bool> QpsAuthenticateAsync(Req req)
    {
        var user = CheckBasic(req.Http);
        if (user is null)
        {
            await QpsErrorAsync(req, "INVALID_CREDENTIALS", "Authentication failed", "Verify both, user and password credentials.").ConfigureAwait(false);
            return false;
        }

        var accountState = AccountState(user.Username);
        if (accountState == "expired")
        {
            await QpsErrorAsync(req, "EVALUATION_EXPIRED", "Your account has expired.", "Contact your account manager.").ConfigureAwait(false);
            return false;
        }

        if (accountState != "active")
        {
            await QpsErrorAsync(req, "UNAUTHORIZED", "User is not authorized to access this API.", "Check the user's account state and license.").ConfigureAwait(false);
            return false;
        }

        req.User = user.Username;
        return true;
    }

    /// <summary>Gateway <c>POST /auth</c>: 201 and a JWT whose payload lists the user's modules.</summary>
    public async Task GatewayAuthAsync(Req req)
    {
        if (!req.IsPost)
        {
            await Respond.Text(req.Http, 405, "text/plain", "Method Not Allowed").ConfigureAwait(false);
            return;
        }

        var user = CheckPassword(req.Get("username"), req.Get("password"));
        if (user is null || AccountState(user.Username) != "active")
        {
            await Respond.Text(req.Http, 401, "application/json", "{\"errorCode\":\"401\",\"message\":\"Invalid Credentials\"}").ConfigureAwait(false);
            return;
        }

        var now = Now.ToUnixTimeSeconds();
        var header = Base64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray());
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["subscriptionId"] = 1042_1401,
            ["userName"] = user.Username,
            ["modulesAllowed"] = user.Modules,
            ["iss"] = "qualys-emulator",
            ["iat"] = now,
            ["exp"] = now + (4 * 3600),
            // Chosen so the payload needs base64url's '-'/'_' alphabet and no padding: clients using plain base64 break.
            ["pad"] = "??>>",
        }));
        var signature = Base64Url(HMACSHA256.HashData("scangate-emulator-not-a-secret"u8, Encoding.ASCII.GetBytes(header + "." + payload)));
        await Respond.Text(req.Http, 201, "text/plain;charset=UTF-8", $"{header}.{payload}.{signature}").ConfigureAwait(false);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    // ---- Session, about, version -----------------------------------------------------------------------------------

    public async Task SessionAsync(Req req)
    {
        if (!req.IsPost)
        {
            await Respond.SimpleReturn(req, 400, "1908", "Request method (GET or POST) is incompatible with specified parameter(s): action", now: Now).ConfigureAwait(false);
            return;
        }

        switch (req.Get("action"))
        {
            case "login":
                var user = CheckPassword(req.Get("username"), req.Get("password"));
                if (user is null)
                {
                    await AccountErrorAsync(req, "2000").ConfigureAwait(false);
                    return;
                }

                var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                lock (state.Sync)
                {
                    state.Sessions[id] = user.Username;
                }

                req.Http.Response.Headers.Append("Set-Cookie", $"QualysSession={id}; path=/api; HttpOnly");
                await Respond.SimpleReturn(req, 200, null, "Logged in", now: Now).ConfigureAwait(false);
                return;
            case "logout":
                var known = false;
                if (req.Http.Request.Cookies.TryGetValue("QualysSession", out var session))
                {
                    lock (state.Sync)
                    {
                        known = state.Sessions.Remove(session);
                    }
                }

                if (!known)
                {
                    await AccountErrorAsync(req, "2000").ConfigureAwait(false);
                    return;
                }

                await Respond.SimpleReturn(req, 200, null, "Logged out", now: Now).ConfigureAwait(false);
                return;
            case null:
                await Respond.SimpleReturn(req, 400, "1903", "Missing required parameter(s): action", now: Now).ConfigureAwait(false);
                return;
            default:
                await Respond.SimpleReturn(req, 400, "1905", $"parameter action has invalid value: {req.Get("action")}", now: Now).ConfigureAwait(false);
                return;
        }
    }

    private Task AboutAsync(Req req)
    {
        var s = Scenario.Subscription;
        var sb = Xml.Head(new StringBuilder(), "ABOUT", req.BaseUrl, "/about.dtd", s.Evaluation)
            .Append("<ABOUT>\n  <API-VERSION MAJOR=\"2\" MINOR=\"0\" />\n  <WEB-VERSION>").Append(Xml.Escape(s.WebVersion))
            .Append("</WEB-VERSION>\n  <SCANNER-VERSION>").Append(Xml.Escape(s.ScannerVersion))
            .Append("</SCANNER-VERSION>\n  <VULNSIGS-VERSION>").Append(Xml.Escape(s.VulnsigsVersion))
            .Append("</VULNSIGS-VERSION>\n</ABOUT>\n")
            .Append("<!-- Generated for username=\"").Append(Xml.Escape(req.User)).Append("\" date=\"").Append(Xml.Time(Now)).Append("\" -->\n");
        var body = Xml.Tail(sb, s.Evaluation).ToString();
        return Respond.XmlText(req, 200, body);
    }

    // ---- FO dispatch -----------------------------------------------------------------------------------------------

    public Task FoAsync(Req req)
    {
        var path = req.Path;
        if (path == "/msp/about.php")
        {
            return AboutAsync(req);
        }

        if (path is "/api/2.0/fo/scan/" or "/api/3.0/fo/scan/")
        {
            return ScanAsync(req, path.StartsWith("/api/3.0", StringComparison.Ordinal));
        }

        if (path is "/api/2.0/fo/knowledge_base/vuln/" or "/api/3.0/fo/knowledge_base/vuln/")
        {
            return KnowledgeBaseAsync(req);
        }

        if (path is "/api/2.0/fo/subscription/option_profile/vm/" or "/api/2.0/fo/subscription/option_profile/pci/")
        {
            return OptionProfilesAsync(req, path.EndsWith("/pci/", StringComparison.Ordinal));
        }

        if (path == "/api/2.0/fo/appliance/")
        {
            return AppliancesAsync(req);
        }

        if (path == "/api/2.0/fo/network/")
        {
            return NetworksAsync(req);
        }

        if (path is "/api/2.0/fo/asset/host/vm/detection/" or "/api/3.0/fo/asset/host/vm/detection/"
            or "/api/4.0/fo/asset/host/vm/detection/" or "/api/5.0/fo/asset/host/vm/detection/")
        {
            return HostDetectionAsync(req);
        }

        return Respond.Text(req.Http, 404, "text/html; charset=UTF-8", "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n");
    }

    private Task Error(Req req, int status, string code, string text) => Respond.SimpleReturn(req, status, code, text, now: Now);

    private Task MissingAction(Req req, params string[] allowed) =>
        req.Get("action") is null
            ? Error(req, 400, "1903", "Missing required parameter(s): action")
            : Error(req, 400, "1905", $"parameter action has invalid value: {req.Get("action")} (expected {string.Join(" or ", allowed)})");

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
