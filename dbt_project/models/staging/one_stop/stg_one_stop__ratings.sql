with

source as (

    select * from {{ source('raw', 'danh_gia_hai_long') }}

),

renamed as (

    select
        _month as month_date,
        dossier_id,
        rated_at,
        rating,
        has_comment,
        _file as source_file,
        _line as source_line,
        _file_sha256 as source_file_sha256

    from source

)

select * from renamed
