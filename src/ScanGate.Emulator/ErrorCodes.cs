namespace ScanGate.Emulator;

/// <summary>A SIMPLE_RETURN error as qualys-api.md §2.4 lists it: code, HTTP status, text.</summary>
internal readonly record struct QualysError(string Code, int Status, string Text)
{
    /// <summary>Authentication and account errors: sent as <c>text/xml;charset=UTF-8</c> (recorded for 2000 and 2001).</summary>
    public bool IsAccountError => Code is "2000" or "2001" or "2002" or "2003" or "2011" or "2012" or "2014";
}

/// <summary>
/// The SIMPLE_RETURN error codes of qualys-api.md §2.4, with their HTTP status and a text in the documented form.
/// Parameterised texts (1901…1922) carry a plausible parameter; faults may replace the text with <c>message</c>.
/// 1980 is not here: it is a truncation <c>WARNING</c> inside a 200 list, not an error answer.
/// </summary>
internal static class ErrorCodes
{
    private static readonly QualysError[] All =
    [
        new("1901", 400, "Unrecognized parameter(s): scangate_emulated"),
        new("1903", 400, "Missing required parameter(s): scan_ref"),
        new("1904", 400, "Please specify only one of these parameters: option_id, option_title"),
        new("1905", 400, "parameter ids has invalid value: abc123 (neither a positive integer nor a range: abc123)"),
        new("1907", 400, "The following combination of key=value pairs is not supported: action=list, show_status=0"),
        new("1908", 400, "Request method (GET or POST) is incompatible with specified parameter(s): action"),
        new("1920", 409, "The requested operation is blocked by one or more existing Business Objects"),
        new("1922", 400, "Please specify at least one of the following parameters: ip, asset_groups, asset_group_ids, fqdn"),
        new("1960", 409, "This API cannot be run again until 1 currently running API instance has finished."),
        new("1965", 409, "This API cannot be run again for another 30 seconds."),
        new("1981", 202, "Your request is being processed. Please try this same request again later"),
        new("999", 500, "Internal error. Please contact customer support."),
        new("1999", 503, "We are performing scheduled maintenance on our System. We apologize for any inconvenience"),
        new("2000", 401, "Bad Login/Password"),
        new("2001", 200, "This account has expired."),
        new("2002", 401, "User account is inactive"),
        new("2003", 409, "Registration must be completed before API requests will be served for this account"),
        new("2011", 401, "SecureID authentication is required for this account, so API access is blocked"),
        new("2012", 403, "User license is not authorized to run this API"),
        new("2014", 409, "Too many concurrent login(s)"),
    ];

    public static IEnumerable<string> Codes => All.Select(e => e.Code);

    public static bool TryGet(string? code, out QualysError error)
    {
        foreach (var e in All)
        {
            if (e.Code == code)
            {
                error = e;
                return true;
            }
        }

        error = default;
        return false;
    }

    public static QualysError Get(string code) =>
        TryGet(code, out var e) ? e : throw new ArgumentOutOfRangeException(nameof(code), code, "not a documented SIMPLE_RETURN code");
}
