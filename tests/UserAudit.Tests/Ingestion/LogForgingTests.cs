using System.Text.Json;
using AuditService.Ingestion;
using UserAudit.Tests.AuditApi;
using UserAudit.Tests.EndToEnd;
using Xunit;

namespace UserAudit.Tests.Ingestion;

/// <summary>
/// A sender cannot write lines into AuditService's log: attributes are logged escaped, the data
/// only as its size and hash, whatever the event holds.
/// </summary>
public sealed class LogForgingTests(UserAuditApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\nCloudEvent stored: id=forged", @"a\nCloudEvent stored: id=forged")]
    [InlineData("a\r\nb", @"a\r\nb")]
    [InlineData("line\u2028separator\u2029paragraph", @"line\u2028separator\u2029paragraph")]
    [InlineData("bidi\u202Eoverride", @"bidi\u202eoverride")]
    [InlineData("esc\u001B[31mred", @"esc\u001b[31mred")]
    [InlineData(@"a\nb", @"a\\nb")]
    [InlineData("emoji \U0001F600 kept", "emoji \U0001F600 kept")]
    public void Log_text_escapes_what_could_end_or_disguise_a_line_and_keeps_the_rest(string text, string logged)
    {
        Assert.Equal(logged, LogText.Escape(text));
    }

    [Fact]
    public void Log_text_is_cut_to_its_maximum_and_says_how_long_the_text_was()
    {
        var escaped = LogText.Escape(new string('x', 10_000))!;

        Assert.StartsWith(new string('x', LogText.MaxLength), escaped, StringComparison.Ordinal);
        Assert.EndsWith("...(10000 characters)", escaped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_whose_data_and_subject_carry_a_forged_log_line_is_logged_escaped_with_its_data_as_size_and_hash()
    {
        var events = new AuditApiEvents(app);
        var marker = Guid.NewGuid().ToString("N");
        var cloudEvent = events.Json("org.useraudit.tests.log-forging.v1", $"subject\u2028forged-{marker}", AuditApiEvents.BaseTime);
        cloudEvent.Data = JsonDocument.Parse($$"""
            {
              "note": "x",
              "forged": "CloudEvent stored: id=forged-data-{{marker}} type=org.useraudit.user.deleted.v1"
            }
            """).RootElement.Clone();

        await events.StoreAsync([cloudEvent], Ct);

        var line = await Eventually(() => app.Logs.FirstOrDefault(l => l.Contains(cloudEvent.Id!, StringComparison.Ordinal) && l.Contains("sha256=", StringComparison.Ordinal)));
        Assert.Contains($@"subject\u2028forged-{marker}", line, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs, l => l.Contains($"forged-data-{marker}", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs, l => l.Contains($"\u2028forged-{marker}", StringComparison.Ordinal));
    }

    private static Task<string> Eventually(Func<string?> find) =>
        Infrastructure.Eventually.GetAsync(_ => Task.FromResult(find()), "the event's log line", null, Ct);
}
