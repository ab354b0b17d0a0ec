namespace ScanGate.Core.Tests;

public sealed class OutcomeTests
{
    [Theory]
    [InlineData(Outcome.Pass, "pass", 0, true)]
    [InlineData(Outcome.Warn, "warn", 0, true)]
    [InlineData(Outcome.PolicyFail, "policy_fail", 1, true)]
    [InlineData(Outcome.UsageError, "usage_error", 2, false)]
    [InlineData(Outcome.ApiError, "api_error", 3, false)]
    [InlineData(Outcome.NoResult, "no_result", 4, false)]
    [InlineData(Outcome.Timeout, "timeout", 5, false)]
    [InlineData(Outcome.InternalError, "internal_error", 70, false)]
    [InlineData(Outcome.Interrupted, "interrupted", 130, false)]
    public void ToContractName_EachOutcome_HasItsContractNameAndExitCode(Outcome outcome, string name, int exitCode, bool hasVerdict)
    {
        outcome.ToContractName().ShouldBe(name);
        outcome.DefaultExitCode().ShouldBe(exitCode);
        outcome.HasVerdict().ShouldBe(hasVerdict);
        OutcomeNames.TryParse(name, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(outcome);
    }

    [Theory]
    [InlineData("PASS")]
    [InlineData("fail")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_NotAContractName_IsRefused(string? name)
    {
        OutcomeNames.TryParse(name, out _).ShouldBeFalse();
    }
}
