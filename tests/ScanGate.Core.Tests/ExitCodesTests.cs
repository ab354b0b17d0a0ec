using System.Reflection;

namespace ScanGate.Core.Tests;

public sealed class ExitCodesTests
{
    [Fact]
    public void ExitCodes_AreDistinct_AndMatchTheDocumentedTable()
    {
        var values = typeof(ExitCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => (int)f.GetValue(null)!, StringComparer.Ordinal);

        values.Values.Distinct().Count().ShouldBe(values.Count);
        values["Pass"].ShouldBe(0);
        values["PolicyFail"].ShouldBe(1);
        values["Usage"].ShouldBe(2);
        values["ApiError"].ShouldBe(3);
        values["NoResult"].ShouldBe(4);
        values["Timeout"].ShouldBe(5);
        values["InternalError"].ShouldBe(70);
        values["Interrupted"].ShouldBe(130);
        values["Terminated"].ShouldBe(143);
    }
}
