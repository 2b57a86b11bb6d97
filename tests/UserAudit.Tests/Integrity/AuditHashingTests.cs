using AuditService.Integrity;
using AuditService.Store;
using Xunit;

namespace UserAudit.Tests.Integrity;

/// <summary>
/// The hashes' encoding is part of every stored chain: a build that encoded a row differently would
/// report every row written before it as changed. These values were computed once and must not move.
/// </summary>
public sealed class AuditHashingTests
{
    private static readonly AuditRow Row = new(
        "urn:useraudit:user-service", "0196f2c4-1a2b-7c3d-8e4f-5a6b7c8d9e0f", "org.useraudit.user.updated.v1", "1.0", "user-7",
        "2026-06-01T12:00:00.0000000+00:00", 1_780_315_200_000, "application/json", "http://localhost:3000/v1/schemas/user.updated.v1.json",
        """{"zeta":"z","authtype":"user","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","authid":"user-7","Alpha":"a"}""",
        new Dictionary<string, string>
        {
            ["zeta"] = "z",
            ["authtype"] = "user",
            ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            ["tracestate"] = "vendor=1",
            ["authid"] = "user-7",
            ["Alpha"] = "a",
        },
        """{"id":"user-7","changedFields":["name"]}""", null, "audit", 3, 41, "2026-06-01T12:00:01.0000000+00:00", 1_780_315_201_000, null, "user", "user-7");

    [Fact]
    public void The_content_hash_of_a_row_is_the_one_every_earlier_build_computed()
    {
        Assert.Equal("14f8a69e109e01a2ad2ae4dc735ebff93585da2579cdd3a90943d7e79643ab0b", Convert.ToHexStringLower(AuditHashing.Content(Row)));
    }

    [Fact]
    public void The_content_hash_ignores_the_trace_context_and_the_order_extensions_came_in()
    {
        var reordered = Row with
        {
            ExtensionMap = new Dictionary<string, string>
            {
                ["authid"] = "user-7",
                ["Alpha"] = "a",
                ["authtype"] = "user",
                ["zeta"] = "z",
                ["traceparent"] = "00-11111111111111111111111111111111-2222222222222222-01",
            },
        };

        Assert.Equal(AuditHashing.Content(Row), AuditHashing.Content(reordered));
        Assert.NotEqual(AuditHashing.Content(Row), AuditHashing.Content(Row with { ExtensionMap = new Dictionary<string, string>(reordered.ExtensionMap) { ["zeta"] = "y" } }));
    }

    [Fact]
    public void The_link_of_a_row_is_the_one_every_earlier_build_computed()
    {
        var link = AuditHashing.Link(AuditHashing.Genesis("store-1"), 42, AuditHashing.Content(Row), Row);
        Assert.Equal("008bd8c38284ad7652f364fd4664aab30c6a62603c12a92532f6bfbaaa8143b7", Convert.ToHexStringLower(link));
    }
}
