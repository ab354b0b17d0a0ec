using System.Text;
using System.Text.Json;
using ScanGate.Reports;

namespace ScanGate.Core.Tests.Reports;

/// <summary>The single-pass finding reader against JsonSerializer with the schema's options (the reference).</summary>
public sealed class FindingReaderTests
{
    public static TheoryData<string> Objects =>
    [
        """{"host":"10.0.0.1","dns":null,"netbios":"N","os":"Linux","qid":38170,"title":"T \"q\" \u00e9","severity":5,"type":"confirmed","category":"C","port":"443","protocol":"tcp","cves":["CVE-1","CVE-2"],"cvss2":7.5,"cvss2_vector":"AV:N","cvss3":9.8,"cvss3_vector":"CVSS:3.1/AV:N","pci":true,"exploitable":false,"malware":null,"bugtraq_id":"123","results":"r\n<b>","solution":"s","evaluated":true,"matched":["severity"],"warned":[],"excluded":null,"excepted":{"id":"EXC-1","reason":"why","expires":"2027-01-01","extra":1}}""",
        """{"qid":1,"port":443,"bugtraq_id":17,"excluded":{"by":"qid","value":"1"}}""",
        """{"qid":1,"unknown_later_key":{"a":[1,{"b":null}]},"another":[],"title":"t"}""",
        """{"qid":1,"title":"first","title":"second"}""",
        """{}""",
        """{"qid":1,"cves":null,"matched":null,"severity":null,"cvss2":null,"pci":null}""",
        """{"qid":"1"}""",
        """{"qid":null}""",
        """{"qid":1.5}""",
        """{"qid":1,"severity":"5"}""",
        """{"qid":1,"severity":3.0}""",
        """{"qid":1,"cvss3":"9.8"}""",
        """{"qid":1,"pci":"yes"}""",
        """{"qid":1,"evaluated":null}""",
        """{"qid":1,"cves":"CVE-1"}""",
        """{"qid":1,"cves":[1]}""",
        """{"qid":1,"port":true}""",
        """{"qid":1,"excluded":"qid"}""",
        """{"qid":1,"title":5}""",
        """{"Qid":1,"TITLE":"case matters"}""",
        """{"q\u0069d":7,"t\u0069tle":"escaped names"}""",
    ];

    [Theory]
    [MemberData(nameof(Objects))]
    public void TryRead_GivesWhatTheSerializerGives_OrRefusesWhatItRefuses(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        string? expected;
        try
        {
            var reference = new Utf8JsonReader(bytes);
            expected = JsonSerializer.Serialize(JsonSerializer.Deserialize<Finding>(ref reference, ResultFileReader.SerializerOptions));
        }
        catch (JsonException)
        {
            expected = null;
        }

        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        if (expected is null)
        {
            Should.Throw<JsonException>(() =>
            {
                var r = new Utf8JsonReader(bytes);
                r.Read();
                FindingReader.TryRead(ref r, out _);
            });
            return;
        }

        FindingReader.TryRead(ref reader, out var finding).ShouldBeTrue();
        JsonSerializer.Serialize(finding).ShouldBe(expected);
        reader.BytesConsumed.ShouldBe(bytes.Length);
    }

    [Theory]
    [MemberData(nameof(Objects))]
    public void TryRead_OnEveryPrefix_AsksForMoreData_NeverReturnsAShorterFinding(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        for (var length = 1; length < bytes.Length; length++)
        {
            var complete = true;
            try
            {
                var reader = new Utf8JsonReader(bytes.AsSpan(0, length), isFinalBlock: false, default);
                reader.Read();
                complete = FindingReader.TryRead(ref reader, out _);
            }
            catch (JsonException)
            {
                // A refusal seen early is fine: the whole object is refused too (checked above).
                complete = false;
            }

            complete.ShouldBeFalse($"prefix of {length} bytes");
        }
    }
}
