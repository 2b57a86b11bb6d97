using Microsoft.EntityFrameworkCore;

namespace WolverinePeer.Users;

/// <summary>The EF Core mode's DbContext, mapped onto UserService's users table.</summary>
public sealed class PeerDbContext(DbContextOptions<PeerDbContext> options) : DbContext(options)
{
    /// <summary>The users.</summary>
    public DbSet<User> Users => Set<User>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).HasColumnName("id");
            user.Property(u => u.Name).HasColumnName("name");
            user.Property(u => u.PasswordHash).HasColumnName("password_hash");
            // EF Core's optimistic concurrency: the UPDATE matches the version that was read.
            user.Property(u => u.Version).HasColumnName("version").IsConcurrencyToken();
            user.Property(u => u.CreatedAt).HasColumnName("created_at");
            user.Property(u => u.UpdatedAt).HasColumnName("updated_at");
        });
    }
}
